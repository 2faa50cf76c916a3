"""The engagements table checked against its definition: the pairs of the meetings."""

from django.db.models import Count, Max, Min

from missions.models import Engagement, Meeting


def from_meetings():
    return {
        (row["mission_id"], str(row["counterpart_country"])): (
            row["first_date"],
            row["last_date"],
            row["meetings"],
        )
        for row in Meeting.objects.values("mission_id", "counterpart_country")
        .annotate(first_date=Min("date"), last_date=Max("date"), meetings=Count("id"))
        .order_by()
    }


def stored():
    return {
        (row.mission_id, row.counterpart_country.code): (
            row.first_date,
            row.last_date,
            row.meetings,
        )
        for row in Engagement.objects.all()
    }


def assert_engagements_match_meetings():
    assert stored() == from_meetings()
