"""The benchmark's data generator, at a tiny scale: the counts it promises, and rows
that pass the models' own rules."""

import pytest

from agreements.models import Agreement
from bench.generate import RecordingWriter, Scale, current_size, generate
from contacts.models import Organization, Person, Post
from followups.models import FollowUp
from missions.models import Meeting, Mission
from projects.models import Project, ProjectParticipant, WatchList, WatchListEntry
from tests.engagements import assert_engagements_match_meetings

TINY = Scale(missions=20, meetings=100, projects=30, agreements=15, followups=40)


@pytest.fixture
def generated(db):
    return generate(TINY)


def test_counts(generated):
    assert current_size() == TINY
    assert generated["missions.Meeting"] == 100
    # Every mission has at least one meeting, every meeting a counterpart.
    assert Mission.objects.filter(meetings__isnull=True).count() == 0
    assert Meeting.objects.filter(counterparts__isnull=True).count() == 0
    assert Meeting.counterpart_organizations.through.objects.exists()
    assert Mission.sectors.through.objects.exists()
    assert WatchList.objects.count() > 1 and WatchListEntry.objects.exists()
    # Written without save(), the meetings' engagements come from one INSERT ... SELECT.
    assert_engagements_match_meetings()


def test_same_seed_same_rows(db):
    first, second, other = RecordingWriter(), RecordingWriter(), RecordingWriter()
    generate(TINY, writer=first)
    generate(TINY, writer=second)
    generate(TINY, seed=9, writer=other)
    assert first.rows == second.rows
    assert first.rows["missions.Meeting"] != other.rows["missions.Meeting"]


@pytest.mark.parametrize(
    "model",
    [
        Organization,
        Person,
        Post,
        Project,
        ProjectParticipant,
        WatchList,
        WatchListEntry,
        Mission,
        Meeting,
        Agreement,
        FollowUp,
    ],
)
def test_sample_passes_the_model_rules(generated, model):
    sample = list(model.objects.order_by("?")[:15])
    assert sample
    for record in sample:
        record.full_clean()
