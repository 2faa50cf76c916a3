import re
import unicodedata
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from contacts.choices import JAPANESE_KINDS
from contacts.models import Organization
from core.services import validated_save
from missions.choices import LeaderRank, MissionStatus
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


# Engagements: (mission, principal, counterpart country) triples and their meetings


# Every triple from the meetings table, in one statement SQLite and PostgreSQL both run
# (a window gives each triple the rank of its first meeting). Shared by the data
# migration that fills the table, rebuild_engagements and the benchmark's loader, which
# write meetings without save().
FILL_ENGAGEMENTS_SQL = """
    INSERT INTO missions_engagement
        (mission_id, principal_id, counterpart_country, principal_rank,
         first_date, last_date, meetings)
    SELECT mission_id, principal_id, counterpart_country, first_rank,
           MIN(date), MAX(date), COUNT(*)
    FROM (
        SELECT mission_id, principal_id, counterpart_country, date,
               FIRST_VALUE(principal_rank) OVER (
                   PARTITION BY mission_id, principal_id, counterpart_country
                   ORDER BY date, id
               ) AS first_rank
        FROM missions_meeting
    ) AS held
    GROUP BY mission_id, principal_id, counterpart_country, first_rank
"""


def _triples_q(triples) -> Q:
    condition = Q()
    for mission_id, principal_id, country in triples:
        condition |= Q(
            mission_id=mission_id, principal_id=principal_id, counterpart_country=country
        )
    return condition


# Above this many triples, refresh_engagements() reads them by their missions.
MANY_TRIPLES = 50


def refresh_engagements(triples: Iterable[tuple[int, int, str]]) -> None:
    """Recompute the given (mission id, principal id, country code) triples from their
    meetings: one query for their meetings, then one upsert of the triples that have
    meetings and a delete of those that have none left. Runs in the caller's
    transaction."""
    triples = {
        (mission_id, principal_id, str(country).upper())
        for mission_id, principal_id, country in triples
        if mission_id and principal_id and country
    }
    if not triples:
        return
    missions = {mission_id for mission_id, _p, _c in triples}
    # Many triples (an import's) are read by their missions rather than by a condition
    # per triple (a query of thousands of ORs), the other triples of those missions
    # left out.
    many = len(triples) > MANY_TRIPLES
    with transaction.atomic(savepoint=False):
        # Two transactions adding meetings to one triple would each count only their own
        # and the last upsert would win: the second waits here for the first to commit,
        # then reads its meetings (PostgreSQL's read committed takes a fresh snapshot per
        # statement). NO KEY: inserting a meeting takes KEY SHARE on its mission, which
        # this must not wait for. SQLite writes one transaction at a time anyway.
        list(
            Mission.objects.filter(pk__in=missions)
            .order_by("pk")
            .select_for_update(no_key=True)
            .values_list("pk", flat=True)
        )
        if many and connection.vendor == "postgresql":
            _refresh_engagements_in_sql(triples)
            return
        found = {}
        # A triple's meetings are few (one official's with one country on one trip).
        meetings = Meeting.objects.filter(
            Q(mission_id__in=missions) if many else _triples_q(triples)
        )
        for row in meetings.values_list(
            "mission_id", "principal_id", "counterpart_country", "date", "principal_rank"
        ).order_by("date", "id"):
            key = (row[0], row[1], str(row[2]))
            if many and key not in triples:
                continue
            engagement = found.get(key)
            if engagement is None:
                found[key] = Engagement(
                    mission_id=row[0],
                    principal_id=row[1],
                    counterpart_country=key[2],
                    principal_rank=row[4],  # the rank at its first meeting
                    first_date=row[3],
                    last_date=row[3],
                    meetings=1,
                )
            else:
                engagement.last_date = row[3]
                engagement.meetings += 1
        if found:
            Engagement.objects.bulk_create(
                found.values(),
                update_conflicts=True,
                unique_fields=["mission", "principal", "counterpart_country"],
                update_fields=["principal_rank", "first_date", "last_date", "meetings"],
            )
        gone = triples - found.keys()
        if gone and many:
            stale = [
                pk
                for pk, *key in Engagement.objects.filter(mission_id__in=missions).values_list(
                    "pk", "mission_id", "principal_id", "counterpart_country"
                )
                if (key[0], key[1], str(key[2])) in gone
            ]
            if stale:
                Engagement.objects.filter(pk__in=stale).delete()
        elif gone:
            Engagement.objects.filter(_triples_q(gone)).delete()


# The triples given as three arrays, recomputed from their meetings in the database:
# the same rows as refresh_engagements() computes in Python (the rank of the first
# meeting by date then id, the first and last dates, the count), without building an
# Engagement for each (an import's 10,000 triples: some 1.5 s).
_UPSERT_ENGAGEMENTS_SQL = """
    WITH wanted (mission_id, principal_id, counterpart_country) AS (
        SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[])
    )
    INSERT INTO missions_engagement
        (mission_id, principal_id, counterpart_country, principal_rank,
         first_date, last_date, meetings)
    SELECT mission_id, principal_id, counterpart_country, first_rank,
           MIN(date), MAX(date), COUNT(*)
    FROM (
        SELECT meeting.mission_id, meeting.principal_id, meeting.counterpart_country,
               meeting.date,
               FIRST_VALUE(meeting.principal_rank) OVER (
                   PARTITION BY meeting.mission_id, meeting.principal_id,
                                meeting.counterpart_country
                   ORDER BY meeting.date, meeting.id
               ) AS first_rank
        FROM missions_meeting AS meeting
        JOIN wanted USING (mission_id, principal_id, counterpart_country)
    ) AS held
    GROUP BY mission_id, principal_id, counterpart_country, first_rank
    ON CONFLICT (mission_id, principal_id, counterpart_country) DO UPDATE SET
        principal_rank = EXCLUDED.principal_rank,
        first_date = EXCLUDED.first_date,
        last_date = EXCLUDED.last_date,
        meetings = EXCLUDED.meetings
"""

_DELETE_EMPTY_ENGAGEMENTS_SQL = """
    DELETE FROM missions_engagement AS engagement
    USING unnest(%s::bigint[], %s::bigint[], %s::varchar[])
        AS wanted (mission_id, principal_id, counterpart_country)
    WHERE engagement.mission_id = wanted.mission_id
      AND engagement.principal_id = wanted.principal_id
      AND engagement.counterpart_country = wanted.counterpart_country
      AND NOT EXISTS (
          SELECT 1 FROM missions_meeting AS meeting
          WHERE meeting.mission_id = wanted.mission_id
            AND meeting.principal_id = wanted.principal_id
            AND meeting.counterpart_country = wanted.counterpart_country
      )
"""


def _refresh_engagements_in_sql(triples) -> None:
    ordered = sorted(triples)
    arrays = [[triple[index] for triple in ordered] for index in range(3)]
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT_ENGAGEMENTS_SQL, arrays)
        cursor.execute(_DELETE_EMPTY_ENGAGEMENTS_SQL, arrays)


def rebuild_engagements() -> int:
    """Recompute every triple from the meetings table (a repair, or after meetings were
    written without save()); returns the number of triples."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Meetings saved meanwhile would be missed by this snapshot and their own
            # refresh overwritten: they wait for the rebuild instead.
            cursor.execute("LOCK TABLE missions_meeting IN SHARE MODE")
        cursor.execute("DELETE FROM missions_engagement")
        cursor.execute(FILL_ENGAGEMENTS_SQL)
    return Engagement.objects.count()


# The history's reason for a meeting whose principal followed its mission's leader.
LEADER_CHANGED_REASON = "The mission's leader changed"


def mission_meetings_follow_leader(*, mission: Mission, leader_id: int, leader_rank: str) -> None:
    """The meetings the mission's leader held (`leader_id` at `leader_rank`, before a
    change of the mission's leader or rank) follow the change: a corrected leader or
    rank is that of the meetings the leader held. Meetings another member held stay
    theirs. Each is saved, so its history, its engagement and webhooks follow."""
    for meeting in mission.meetings.filter(principal_id=leader_id, principal_rank=leader_rank):
        meeting.principal_id, meeting.principal_rank = mission.leader_id, mission.leader_rank
        meeting._change_reason = LEADER_CHANGED_REASON
        meeting.save()


# A post's rank, read from its title: the Japanese one first, then the English one. A
# title that says none of them (a vice-minister for international affairs, a director
# general) gives no rank: it is not guessed.
_RANKS_IN_TITLES = (
    (LeaderRank.PARLIAMENTARY_VICE_MINISTER, r"大臣政務官", r"\bparliamentary vice[- ]minister\b"),
    (LeaderRank.STATE_MINISTER, r"副大臣", r"\bstate minister\b"),
    (LeaderRank.MINISTER, r"(?<!副)大臣$", r"^minister\b"),
)


def rank_of_post(post) -> str | None:
    """The LeaderRank a post's title names (国土交通大臣 → minister), or None."""
    if post is None:
        return None
    # Without a closing remark in brackets: 国土交通副大臣（デモ）.
    japanese = re.sub(
        r"\s*\([^)]*\)$", "", unicodedata.normalize("NFKC", post.title_ja or "").strip()
    )
    english = unicodedata.normalize("NFKC", post.title or "").strip().lower()
    for rank, in_japanese, in_english in _RANKS_IN_TITLES:
        if japanese and re.search(in_japanese, japanese):
            return rank
        if not japanese and re.search(in_english, english):
            return rank
    return None


def leader_rank_on(person, day) -> str | None:
    """The rank of the post `person` held on `day`, when its title says it."""
    if person is None or day is None:
        return None
    return rank_of_post(person.post_on(day))
