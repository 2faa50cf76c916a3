from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q
from django.utils.translation import gettext as _

from contacts.choices import JAPANESE_KINDS
from contacts.models import Organization
from core.services import validated_save
from missions.choices import MissionStatus
from missions.models import Engagement, Meeting, Mission


@transaction.atomic
def mission_complete(*, mission: Mission) -> Mission:
    """Mark a mission as completed: from then on its meetings count as top sales.
    Mission.clean() refuses it for a cancelled mission."""
    previous, mission.status = mission.status, MissionStatus.COMPLETED
    try:
        return validated_save(mission)
    except ValidationError:
        mission.status = previous
        raise


def mission_check_delegation(organizations: Iterable[Organization]) -> None:
    """A delegation is of Japanese companies and bodies (Mission.delegation's
    limit_choices_to, which only forms apply): refuse any other organisation."""
    others = [
        organization for organization in organizations if organization.kind not in JAPANESE_KINDS
    ]
    if others:
        raise ValidationError(
            {
                "delegation": [
                    _("%(organization)s is not a Japanese company or body.")
                    % {"organization": organization}
                    for organization in others
                ]
            }
        )


def mission_check_meeting_dates(*, mission: Mission) -> None:
    """A mission's dates must still cover every one of its saved meetings."""
    if not mission.pk:
        return
    outside = mission.meetings.exclude(date__range=(mission.start_date, mission.end_date))
    if outside.exists():
        raise ValidationError(
            {"start_date": _("Some meetings of this mission fall outside these dates.")}
        )


# Engagements: (mission, counterpart country) pairs and their meetings


# Every pair from the meetings table, in one statement any database runs. Shared by the
# data migration that fills the table, rebuild_engagements and the benchmark's loader,
# which write meetings without save().
FILL_ENGAGEMENTS_SQL = """
    INSERT INTO missions_engagement
        (mission_id, counterpart_country, first_date, last_date, meetings)
    SELECT mission_id, counterpart_country, MIN(date), MAX(date), COUNT(*)
    FROM missions_meeting
    GROUP BY mission_id, counterpart_country
"""


def _pairs_q(pairs) -> Q:
    condition = Q()
    for mission_id, country in pairs:
        condition |= Q(mission_id=mission_id, counterpart_country=country)
    return condition


def refresh_engagements(pairs: Iterable[tuple[int, str]]) -> None:
    """Recompute the given (mission id, country code) pairs from their meetings: one
    aggregate query, then one upsert of the pairs that have meetings and a delete of
    those that have none left. Runs in the caller's transaction."""
    pairs = {
        (mission_id, str(country).upper())
        for mission_id, country in pairs
        if mission_id and country
    }
    if not pairs:
        return
    with transaction.atomic(savepoint=False):
        # Two transactions adding meetings to one pair would each count only their own
        # and the last upsert would win: the second waits here for the first to commit,
        # then reads its meetings (PostgreSQL's read committed takes a fresh snapshot per
        # statement). NO KEY: inserting a meeting takes KEY SHARE on its mission, which
        # this must not wait for. SQLite writes one transaction at a time anyway.
        list(
            Mission.objects.filter(pk__in={mission_id for mission_id, _country in pairs})
            .order_by("pk")
            .select_for_update(no_key=True)
            .values_list("pk", flat=True)
        )
        found = {
            (row["mission_id"], str(row["counterpart_country"])): row
            for row in Meeting.objects.filter(_pairs_q(pairs))
            .values("mission_id", "counterpart_country")
            .annotate(first_date=Min("date"), last_date=Max("date"), meetings=Count("id"))
            .order_by()
        }
        if found:
            Engagement.objects.bulk_create(
                [Engagement(**row) for row in found.values()],
                update_conflicts=True,
                unique_fields=["mission", "counterpart_country"],
                update_fields=["first_date", "last_date", "meetings"],
            )
        gone = pairs - found.keys()
        if gone:
            Engagement.objects.filter(_pairs_q(gone)).delete()


def rebuild_engagements() -> int:
    """Recompute every pair from the meetings table (a repair, or after meetings were
    written without save()); returns the number of pairs."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Meetings saved meanwhile would be missed by this snapshot and their own
            # refresh overwritten: they wait for the rebuild instead.
            cursor.execute("LOCK TABLE missions_meeting IN SHARE MODE")
        cursor.execute("DELETE FROM missions_engagement")
        cursor.execute(FILL_ENGAGEMENTS_SQL)
    return Engagement.objects.count()
