"""The map of top-sales engagements by country (issue 16, item 6): on the dashboard for
the chosen year, and the brief's region in the country brief; the figures are the
selectors', the boundaries and libraries are vendored."""

import csv
import datetime
import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from core.classification import Classification
from missions.choices import MissionStatus
from reports.maps import BOUNDARIES, drawn_countries
from tests.factories import MeetingFactory, MissionFactory
from tests.reports.html import text_of

day = datetime.date
VENDOR = Path(settings.BASE_DIR) / "reports" / "static" / "reports" / "vendor"


def _top_sales(country, date, **kwargs):
    kwargs.setdefault("status", MissionStatus.COMPLETED)
    mission = MissionFactory(start_date=date, end_date=date, **kwargs)
    return MeetingFactory(
        mission=mission, counterpart_country=country, venue_country=country, date=date
    )


def _map(response, element_id):
    html = response.content.decode()
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    assert found, f"no #{element_id} on the page"
    return json.loads(found.group(1))


def _by_code(data):
    return {country["code"]: country for country in data["countries"]}


def test_the_boundaries_are_keyed_by_iso_numeric_and_read_as_alpha_2():
    drawn = drawn_countries()
    assert drawn["JP"] == "392"
    assert drawn["GH"] == "288"
    assert drawn["TW"] == "158"
    assert drawn["TL"] == "626"
    assert "SG" not in drawn  # too small at 1:110m
    assert len(drawn) == 174  # 177 shapes, 3 of which have no ISO code (Kosovo...)


def test_the_vendored_files_are_whole_small_and_licensed():
    geo = (VENDOR / "chartjs-chart-geo.umd.min.js").read_text()
    assert "sourceMappingURL" not in geo  # collectstatic's manifest would look for it
    assert "choropleth" in geo
    assert BOUNDARIES.stat().st_size < 150_000  # 1:110m, not 1:50m (756 kB)
    assert "MIT License" in (VENDOR / "chartjs-chart-geo.LICENSE.md").read_text()
    assert "ISC" in (VENDOR / "chartjs-chart-geo.LICENSE.md").read_text()
    assert "Natural Earth" in (VENDOR / "world-atlas.LICENSE.md").read_text()
    readme = (VENDOR / "README.md").read_text()
    assert "chartjs-chart-geo 4.3.6" in readme and "world-atlas 2.0.2" in readme


@pytest.mark.django_db
def test_the_dashboard_maps_the_years_engagements_by_country_with_links_to_the_briefs(
    analyst_client,
):
    _top_sales("VN", day(2018, 5, 1))
    _top_sales("VN", day(2018, 7, 1))
    _top_sales("GH", day(2018, 6, 1))
    _top_sales("SG", day(2018, 6, 2))
    _top_sales("IN", day(2019, 2, 1))  # 2019, fiscal year 2018
    response = analyst_client.get(reverse("reports:dashboard"), {"year": 2018})
    data = _map(response, "map-engagements")
    countries = _by_code(data)
    assert len(countries) == 174  # the whole world, each country linking to its brief
    assert countries["VN"] == {
        "id": "704",
        "code": "VN",
        "name": "ベトナム",
        "count": 2,
        "asean": True,
        "url": "/reports/countries/VN/",
    }
    assert countries["GH"]["count"] == 1 and countries["GH"]["asean"] is False
    assert countries["IN"]["count"] == 0
    assert data["max"] == 2
    # Singapore has no shape at this scale: named under the map, and in the table.
    assert data["not_drawn"] == [{"code": "SG", "name": "シンガポール", "count": 1}]
    page = text_of(response)
    assert "この縮尺では小さすぎて描けない国（表にあります）: シンガポール (1)" in page
    table = response.content.decode().split('data-testid="table-map-engagements"')[1]
    table = table.split("</table>")[0]
    assert '<a href="/reports/countries/VN/">ベトナム</a>' in table
    assert '<a href="/reports/countries/SG/">シンガポール</a>' in table
    assert "reports/vendor/chartjs-chart-geo.umd.min.js" in response.content.decode()
    assert "reports/vendor/countries-110m.json" in response.content.decode()

    fiscal = _map(
        analyst_client.get(reverse("reports:dashboard"), {"year": 2018, "basis": "fiscal"}),
        "map-engagements",
    )
    assert _by_code(fiscal)["IN"]["count"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "timor_leste"),
    [
        ({"year": 2024}, False),
        ({"year": 2025}, True),  # a member from 26 October 2025
        ({"year": 2024, "basis": "fiscal"}, False),  # to March 2025
        ({"year": 2025, "basis": "fiscal"}, True),
    ],
)
def test_asean_members_are_outlined_as_of_the_year(analyst_client, query, timor_leste):
    _top_sales("TL", day(2024, 5, 1))
    _top_sales("TL", day(2025, 5, 1))
    response = analyst_client.get(reverse("reports:dashboard"), query)
    countries = _by_code(_map(response, "map-engagements"))
    assert countries["TL"]["asean"] is timor_leste
    assert countries["TH"]["asean"] is True
    assert countries["JP"]["asean"] is False
    legend = "ASEAN加盟国" in text_of(response)
    assert legend


@pytest.mark.django_db
def test_the_map_counts_only_what_the_reader_may_see(analyst_client):
    _top_sales("VN", day(2018, 5, 1))
    _top_sales("TN", day(2018, 8, 1), classification=Classification.NEED_TO_KNOW)
    response = analyst_client.get(reverse("reports:dashboard"), {"year": 2018})
    countries = _by_code(_map(response, "map-engagements"))
    assert countries["VN"]["count"] == 1
    assert countries["TN"]["count"] == 0
    # The same figures as the cards above it.
    assert sum(country["count"] for country in countries.values()) == (
        response.context["stats"].engagements
    )


@pytest.mark.django_db
def test_the_maps_table_downloads_with_the_years_choice(analyst_client):
    _top_sales("VN", day(2018, 5, 1))
    _top_sales("GH", day(2019, 2, 1))
    response = analyst_client.get(
        reverse("reports:dashboard"),
        {"year": 2018, "basis": "fiscal", "table": "by-country", "format": "csv"},
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "2018年度" in rows[0][0]
    assert ["ベトナム", "東南アジア", "1", "1"] in rows
    assert ["ガーナ", "アフリカ", "1", "1"] in rows


@pytest.mark.django_db
def test_the_brief_maps_its_region_and_prints_it(analyst_client):
    _top_sales("VN", day(2018, 5, 1))
    _top_sales("TH", day(2019, 5, 1))
    _top_sales("TH", day(2020, 5, 1))
    _top_sales("GH", day(2018, 6, 1))  # Africa: not on South-East Asia's map
    response = analyst_client.get(reverse("reports:country-brief", args=["VN"]))
    html = response.content.decode()
    data = _map(response, "map-region")
    countries = _by_code(data)
    assert set(countries) == {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "TH", "VN", "TL"}
    assert countries["TH"]["count"] == 2  # every year
    assert countries["VN"]["highlight"] is True
    assert "highlight" not in countries["TH"]
    assert data["not_drawn"] == []
    section = html.split('class="brief-region"')[1].split("</section>")[0]
    assert "no-print" not in section.split("<table")[0].split('class="map-legend"')[0]
    assert "東南アジア" in text_of(response)
    assert "reports/maps.js" in html


@pytest.mark.django_db
def test_the_meetings_list_maps_the_top_sales_among_the_meetings_listed_for_the_year(
    analyst_client,
):
    _top_sales("VN", day(2018, 5, 1))
    _top_sales("GH", day(2018, 6, 1))
    _top_sales("TH", day(2019, 2, 1))  # fiscal year 2018
    _top_sales("IN", day(2018, 7, 1), status=MissionStatus.PLANNED)  # not top sales
    meetings = reverse("reports:meeting-list")

    response = analyst_client.get(meetings)
    assert 'data-testid="map-needs-a-year"' in response.content.decode()
    assert "map-engagements" not in response.content.decode()

    response = analyst_client.get(meetings, {"year": 2018})
    counts = {
        code: row["count"] for code, row in _by_code(_map(response, "map-engagements")).items()
    }
    assert (counts["VN"], counts["GH"], counts["TH"], counts["IN"]) == (1, 1, 0, 0)
    assert "2018年" in text_of(response)
    assert "reports/maps.js" in response.content.decode()

    response = analyst_client.get(meetings, {"fiscal_year": 2018, "region": "southeast_asia"})
    counts = {
        code: row["count"] for code, row in _by_code(_map(response, "map-engagements")).items()
    }
    assert (counts["VN"], counts["GH"], counts["TH"]) == (1, 0, 1)
    assert "2018年度" in text_of(response)

    # Invalid filters: the page says so, and draws no map.
    response = analyst_client.get(meetings, {"year": "abc"})
    assert response.status_code == 200
    assert "map-engagements" not in response.content.decode()
