"""A backup of the demo data, restored into an emptied database, gives back the
source document's figures."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from missions.models import Meeting
from reports import selectors


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_an_empty_database(tmp_path):
    call_command("load_demo", stdout=StringIO())
    path = tmp_path / "demo.dump"
    call_command("backup_db", str(path), stdout=StringIO())
    assert path.stat().st_size > 0

    call_command("flush", "--noinput")
    assert Meeting.objects.count() == 0

    call_command("restore_db", str(path), "--noinput", stdout=StringIO())

    stats = selectors.engagement_statistics(period=selectors.Period.calendar_year(2018))
    assert (stats.engagements, stats.countries, stats.asean_engagements) == (69, 31, 35)
    transition = selectors.watch_list_transition(edition=2019)
    assert (
        transition.previous_total,
        transition.won_japanese,
        transition.won_foreign,
        transition.removed,
        transition.continued,
        transition.added,
        transition.total,
    ) == (83, 10, 1, 7, 65, 18, 83)


def test_restoring_a_missing_file_is_a_clear_error(tmp_path, db):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore_db", str(tmp_path / "nothing.dump"), "--noinput")
