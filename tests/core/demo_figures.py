"""The source document's figures, recomputed by ORM queries from whatever rows a
database holds (never read back from core.demo's tables): for the demo data's tests and
for the backup test, which reads them from a restored database."""

from collections import Counter

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Min

from core.regions import is_asean
from missions.choices import TOP_SALES_RANKS, MissionStatus
from missions.models import Meeting
from projects.models import WatchListEntry

# 69 engagements in 31 countries, 35 in ASEAN; 83 → 10 / 1 / 7 / 65 / 18 → 83.
DOCUMENT_FIGURES = ((69, 31, 35), (83, 10, 1, 7, 65, 18, 83))


def engagements_2018(using=DEFAULT_DB_ALIAS):
    """(mission, principal, country) triples of completed missions' meetings held by a
    minister, state minister or parliamentary vice-minister, with their first meeting
    date in 2018."""
    return list(
        Meeting.objects.using(using)
        .filter(
            mission__status=MissionStatus.COMPLETED,
            principal_rank__in=TOP_SALES_RANKS,
            date__year=2018,
        )
        .values("mission_id", "principal_id", "counterpart_country")
        .distinct()
        .annotate(first_date=Min("date"))
        .order_by()
    )


def document_figures(using=DEFAULT_DB_ALIAS):
    """((engagements, countries, ASEAN engagements) of 2018, (2018 list, won by Japanese
    firms, won by foreign firms, removed, continued, added, 2019 list))."""
    pairs = engagements_2018(using)
    top_sales = (
        len(pairs),
        len({pair["counterpart_country"] for pair in pairs}),
        sum(is_asean(pair["counterpart_country"], pair["first_date"]) for pair in pairs),
    )
    entries = WatchListEntry.objects.using(using)
    listed_2018 = set(
        entries.filter(watch_list__edition_year=2018).values_list("project_id", flat=True)
    )
    listed_2019 = set(
        entries.filter(watch_list__edition_year=2019).values_list("project_id", flat=True)
    )
    outcomes = Counter(
        entries.filter(watch_list__edition_year=2018).values_list(
            "outcome_at_next_edition", flat=True
        )
    )
    transition = (
        len(listed_2018),
        outcomes["won_japanese"],
        outcomes["won_foreign"],
        outcomes["removed"],
        outcomes["continued"],
        len(listed_2019 - listed_2018),
        len(listed_2019),
    )
    return top_sales, transition
