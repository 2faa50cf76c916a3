"""The engagements table checked against its definition: the (mission, principal,
country) triples of the meetings, with the principal's rank at the first meeting."""

from django.db.models import Count, Max, Min

from missions.models import Engagement, Meeting


def from_meetings():
    first_ranks = {}
    for mission_id, principal_id, country, rank in Meeting.objects.order_by(
        "-date", "-id"
    ).values_list("mission_id", "principal_id", "counterpart_country", "principal_rank"):
        first_ranks[(mission_id, principal_id, str(country))] = rank  # the earliest wins
    return {
        (row["mission_id"], row["principal_id"], str(row["counterpart_country"])): (
            first_ranks[(row["mission_id"], row["principal_id"], str(row["counterpart_country"]))],
            row["first_date"],
            row["last_date"],
            row["meetings"],
        )
        for row in Meeting.objects.values("mission_id", "principal_id", "counterpart_country")
        .annotate(first_date=Min("date"), last_date=Max("date"), meetings=Count("id"))
        .order_by()
    }


def stored():
    return {
        (row.mission_id, row.principal_id, row.counterpart_country.code): (
            row.principal_rank,
            row.first_date,
            row.last_date,
            row.meetings,
        )
        for row in Engagement.objects.all()
    }


def assert_engagements_match_meetings():
    assert stored() == from_meetings()
