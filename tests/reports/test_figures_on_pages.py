"""The source document's figures, read off the rendered pages after `load_demo`:
69 top-sales engagements in 31 countries (35 in ASEAN) in 2018; the watch list
83 → 10 / 1 / 7 / 65 / 18 → 83; 46 projects in Southeast Asia and 9 in South Asia
on the 2019 list; and the TICAD7 meeting in Ghana's brief."""

import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from projects.models import WatchListEntry
from tests.reports.html import text_of


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load once for the module; every test runs inside this transaction, which is
    rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_the_dashboard_reads_69_engagements_in_31_countries_35_in_asean_for_2018(
    analyst_client,
):
    # The dashboard opens on the latest year with records: 2018 is chosen.
    response = analyst_client.get(reverse("reports:dashboard"), {"year": 2018})
    page = text_of(response)
    assert "2018年に31カ国，延べ69件（うちASEAN諸国が35件）" in page
    html = response.content.decode()
    assert re.search(r'data-testid="engagements">69<', html)
    assert re.search(r'data-testid="countries">31<', html)
    assert re.search(r'data-testid="asean">35<', html)


def test_the_dashboard_reads_the_same_in_english(analyst_client, analyst_user):
    analyst_user.language = "en"
    analyst_user.save()
    page = text_of(analyst_client.get(reverse("reports:dashboard"), {"year": 2018}))
    assert "In 2018: 69 top-sales engagements in 31 countries (35 in ASEAN countries)" in page


def test_the_watch_list_page_reads_83_10_1_7_65_18_83(analyst_client):
    page = text_of(analyst_client.get(reverse("reports:watch-list")))
    assert "Action Plan 2018 → Action Plan 2019" in page
    assert "83 → 10 / 1 / 7 / 65 / 18 → 83" in page
    for label, count in (
        ("日本企業受注", 10),
        ("外国企業受注", 1),
        ("削除", 7),
        ("継続", 65),
        ("追加", 18),
    ):
        assert f"{label} ({count})" in page
    assert (
        "transition-problems"
        not in analyst_client.get(reverse("reports:watch-list")).content.decode()
    )


def test_a_transition_that_does_not_add_up_says_so_on_the_page_and_in_the_api(
    analyst_client, analyst_api
):
    """Issue 15: a 2018 entry marked removed while its project was still on the 2019
    list read 83 → 10/1/8/64/18 → 83, which does not add up, without a word. The rules
    refuse it now; a database filled before them (here: SQL) is caught by the report."""
    entry = (
        WatchListEntry.objects.filter(
            watch_list__edition_year=2018, outcome_at_next_edition="continued"
        )
        .select_related("project")
        .order_by("project__name")
        .first()
    )
    WatchListEntry.objects.filter(pk=entry.pk).update(
        outcome_at_next_edition="removed", reason="Tender delayed"
    )

    body = analyst_api.get("/api/v1/reports/watch-list-transition/", {"edition": 2019}).json()
    assert [body[key] for key in ("previous_total", "won_japanese", "won_foreign")] == [83, 10, 1]
    assert [body[key] for key in ("removed", "continued", "added", "total")] == [8, 64, 18, 83]
    assert body["balanced"] is False
    assert body["problems"] == [
        "Action Plan 2019 lists 83 projects, but continued and added add up to 82.",
        f"“{entry.project.name}” is on Action Plan 2019, but Action Plan 2018 records it as "
        "“Removed”.",
    ]

    response = analyst_client.get(reverse("reports:watch-list"))
    page = text_of(response)
    assert "83 → 10 / 1 / 8 / 64 / 18 → 83" in page
    assert 'data-testid="transition-problems"' in response.content.decode()
    assert "Action Plan 2019 は 83 件を掲載していますが、継続と追加の合計は 82 件です。" in page


def test_the_2019_list_has_46_projects_in_southeast_asia_and_9_in_south_asia(analyst_client):
    response = analyst_client.get(reverse("reports:watch-list"), {"edition": 2019})
    table = response.content.decode().split('data-testid="by-region"', 1)[1].split("</table>")[0]
    rows = {
        cells[0]: cells[1:]
        for cells in (re.sub(r"<[^>]+>", " ", row).split() for row in table.split("<tr>")[2:])
    }
    # Columns: Action Plan 2018, Action Plan 2019.
    assert rows["東南アジア"][1] == "46"
    assert rows["南アジア"][1] == "9"
    assert rows["合計"] == ["83", "83"]


def test_ghanas_brief_has_the_ticad7_meeting_with_the_minister_of_roads_and_highways(
    analyst_client,
):
    response = analyst_client.get(reverse("reports:country-brief", args=["GH"]))
    page = text_of(response)
    assert "TICAD7" in page
    assert "2019年8月2" in page  # the meeting at the end of August 2019, in Japanese style
    assert "道路高速道大臣" in page  # the post held that day
    assert "協力覚書" in page
    assert "2019年度" in page


def test_kenyas_brief_shows_each_official_who_met_it_at_ticad7(analyst_client):
    """Minister Ishii and Parliamentary Vice-Minister Adachi each met Kenya there: two
    engagements, each under the official who held its meeting."""
    response = analyst_client.get(reverse("reports:country-brief", args=["KE"]))
    held = re.findall(r'data-testid="held-by">([^<]*)<', response.content.decode())
    assert "— 会談者：石井啓一（大臣）, 2019年度" in held
    assert "— 会談者：阿達雅志（大臣政務官）, 2019年度" in held


def test_the_meeting_list_shows_who_held_each_meeting(analyst_client):
    page = text_of(
        analyst_client.get(reverse("reports:meeting-list"), {"country": "MG", "year": 2019})
    )
    assert "会談者" in page
    assert "阿達雅志 大臣政務官" in page
