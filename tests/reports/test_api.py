"""The report endpoints: their contract, their parameters, who may read them, and
the source document's figures read back after load_demo."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.models import Sector
from reports.api import urls as report_urls
from tests import factories
from tests.api import assert_bad_parameter, client_for

# No Accept-Language: the API answers in the site's language, Japanese.
pytestmark = pytest.mark.api_language(None)

BASE = "/api/v1/reports/"


@pytest.mark.django_db
def test_anonymous_and_roleless_users_are_refused(django_user_model):
    assert APIClient().get(f"{BASE}engagements/").status_code == 401
    client = client_for(django_user_model.objects.create_user("nobody"), language=None)
    assert client.get(f"{BASE}engagements/").status_code == 403


@pytest.mark.django_db
def test_engagements_on_hand_made_data(analyst_api):
    mission = factories.MissionFactory(
        status="completed", start_date=datetime.date(2018, 5, 1), end_date=datetime.date(2018, 5, 5)
    )
    # Two meetings with Viet Nam on one mission: one engagement.
    factories.MeetingFactory(
        mission=mission, date=datetime.date(2018, 5, 1), counterpart_country="VN"
    )
    factories.MeetingFactory(
        mission=mission, date=datetime.date(2018, 5, 2), counterpart_country="VN"
    )
    factories.MeetingFactory(
        mission=mission, date=datetime.date(2018, 5, 3), counterpart_country="GH"
    )
    body = analyst_api.get(f"{BASE}engagements/", {"year": 2018}).json()
    assert (body["engagements"], body["countries"], body["asean_engagements"]) == (2, 2, 1)
    assert body["meetings"] == 3
    assert (
        body["sentence"]["en"]
        == "In 2018: 2 top-sales engagements in 2 countries (1 in ASEAN countries)"
    )
    assert body["sentence"]["ja"] == "2018年に2カ国，延べ2件（うちASEAN諸国が1件）"
    africa = analyst_api.get(f"{BASE}engagements/", {"year": 2018, "region": "africa"}).json()
    assert africa["engagements"] == 1
    fiscal = analyst_api.get(f"{BASE}engagements/", {"fiscal_year": 2017}).json()
    assert fiscal["engagements"] == 0


def _meetings_of_two_missions():
    """2018: a road mission meets Viet Nam (promoting a metro, then not) and Ghana; a
    port mission meets Viet Nam. Three engagements in two countries."""
    road = factories.MissionFactory(
        status="completed",
        start_date=datetime.date(2018, 5, 1),
        sectors=Sector.objects.filter(code="road"),
    )
    port = factories.MissionFactory(
        status="completed",
        start_date=datetime.date(2018, 9, 1),
        sectors=Sector.objects.filter(code="port"),
    )
    metro = factories.ProjectFactory()
    factories.MeetingFactory(mission=road, counterpart_country="VN", projects=[metro])
    factories.MeetingFactory(mission=road, counterpart_country="VN", venue_city="Da Nang")
    factories.MeetingFactory(mission=road, counterpart_country="GH", venue_city="Accra")
    factories.MeetingFactory(mission=port, counterpart_country="VN")
    return road, port, metro


@pytest.mark.django_db
def test_engagements_take_the_meetings_lists_filters(analyst_api):
    road, port, metro = _meetings_of_two_missions()

    def figures(**params):
        body = analyst_api.get(f"{BASE}engagements/", {"year": 2018, **params}).json()
        return body["engagements"], body["countries"], body["meetings"]

    assert figures() == (3, 2, 4)
    # The engagements that have such a meeting, with all their meetings.
    assert figures(project=metro.pk) == (1, 1, 2)
    assert figures(sector="road") == (2, 2, 3)
    assert figures(sector=["road", "port"]) == (3, 2, 4)
    assert figures(mission=port.pk) == (1, 1, 1)
    assert figures(q="Accra") == (1, 1, 1)
    # With what the engagements record themselves.
    assert figures(sector="road", country="VN") == (1, 1, 2)
    assert figures(sector="road", asean="false") == (1, 1, 1)
    assert figures(leader=road.leader_id) == (2, 2, 3)
    # An empty value is no filter, as in the list.
    assert figures(fiscal_year="", q="") == (3, 2, 4)


@pytest.mark.django_db
def test_engagements_between_two_dates(analyst_api):
    _meetings_of_two_missions()
    body = analyst_api.get(
        f"{BASE}engagements/", {"date_after": "2018-06-01", "date_before": "2018-12-31"}
    ).json()
    assert (body["engagements"], body["meetings"]) == (1, 1)
    assert body["sentence"]["en"].startswith("From ")
    assert [(row["year"], row["meetings"]) for row in body["by_year"]] == [(2018, 1)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params,parameter",
    [
        ({"year": "abc"}, "year"),
        ({"year": 2018, "fiscal_year": 2018}, "non_field_errors"),
        (
            {"year": 2018, "date_after": "2018-01-01", "date_before": "2018-02-01"},
            "non_field_errors",
        ),
        ({"date_after": "2018-01-01"}, "date_before"),
        ({"date_before": "2018-01-01"}, "date_after"),
        ({"date_after": "2018-02-01", "date_before": "2018-01-01"}, "date_before"),
        ({"date_after": "2018-02-30", "date_before": "2018-03-01"}, "date_after"),
        ({"country": "XX"}, "country"),
        ({"region": "atlantis"}, "region"),
        ({"leader_rank": "emperor"}, "leader_rank"),
        ({"asean": "perhaps"}, "asean"),
        ({"sector": "spaceport"}, "sector"),
        ({"project": "abc"}, "project"),
        ({"mission": 999_999}, "mission"),
        ({"year": "2018\x00"}, "year"),
        # What the report used to take, and what only orders a list.
        ({"start": "2018-01-01", "end": "2018-12-31"}, "start"),
        ({"ordering": "date"}, "ordering"),
        ({"no_such_thing": 1}, "no_such_thing"),
    ],
)
def test_bad_parameters_are_400s_naming_them(analyst_api, params, parameter):
    assert_bad_parameter(analyst_api, f"{BASE}engagements/", params, parameter)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "report,records,params",
    [
        ("engagements", "meetings", {"country": "XX", "mission": "abc", "year": "x"}),
        ("engagements", "meetings", {"colour": "red"}),
        ("top-sales-effect", "meetings", {"top_sales": "perhaps", "updated_since": "soon"}),
        ("agreements", "agreements", {"status": "torn_up", "expiring_within": -1}),
        ("pipeline", "projects", {"stage": "dreaming", "estimated_cost_jpy_min": "a lot"}),
        ("order-figures", "order-figures", {"kind": "hope", "year_min": 1066}),
    ],
)
def test_a_report_refuses_what_its_list_refuses_in_the_same_words(
    analyst_api, report, records, params
):
    refused = analyst_api.get(f"{BASE}{report}/", params)
    assert refused.status_code == 400
    assert refused.json() == analyst_api.get(f"/api/v1/{records}/", params).json()


@pytest.mark.django_db
@pytest.mark.parametrize("route", [pattern.pattern._route for pattern in report_urls.urlpatterns])
def test_every_report_refuses_a_parameter_it_does_not_take(analyst_api, route):
    response = analyst_api.get(f"{BASE}{route}", {"colour": "red"})
    assert response.status_code == 400
    assert "colour" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "report",
    [
        "engagements/",
        "agreements/",
        "pipeline/",
        "top-sales-effect/",
        "order-figures/",
        "watch-list-transition/?edition=2019",
    ],
)
def test_the_format_parameter_is_no_filter_and_an_unknown_format_is_named(analyst_api, report):
    factories.WatchListFactory(
        edition_year=2019, previous=factories.WatchListFactory(edition_year=2018)
    )
    separator = "&" if "?" in report else "?"
    assert analyst_api.get(f"{BASE}{report}{separator}format=json").status_code == 200
    refused = analyst_api.get(f"{BASE}{report}{separator}format=pdf")
    assert refused.status_code == 400
    assert list(refused.json()) == ["format"]


@pytest.mark.parametrize(
    "period",
    [
        {"date_after": "2018-01-01"},
        {"year": 2018, "fiscal_year": 2018},
        {"year": 2018, "date_after": "2018-01-01", "date_before": "2018-12-31"},
    ],
)
def test_both_meeting_reports_read_the_period_alike(analyst_api, period):
    for report in ("engagements/", "top-sales-effect/"):
        assert analyst_api.get(f"{BASE}{report}", period).status_code == 400, report


@pytest.mark.django_db
def test_unknown_watch_list_edition_is_404(analyst_api):
    assert analyst_api.get(f"{BASE}watch-list-transition/", {"edition": 1999}).status_code == 404
    assert analyst_api.get(f"{BASE}watch-list-transition/").status_code == 400


@pytest.mark.django_db
def test_agreements_take_the_agreements_lists_filters(analyst_api):
    today = timezone.localdate()
    in_a_month = today + datetime.timedelta(days=30)
    road = Sector.objects.filter(code="road")
    vietnam = factories.AgreementFactory(
        counterpart_country="VN",
        status="in_force",
        signed_on=datetime.date(2019, 5, 1),
        expires_on=in_a_month,
        sectors=road,
    )
    india = factories.AgreementFactory(
        counterpart_country="IN",
        status="in_force",
        signed_on=datetime.date(2019, 6, 1),
        expires_on=in_a_month,
        sectors=road,
    )
    factories.AgreementFactory(
        counterpart_country="VN", status="signed", kind="mou", signed_on=datetime.date(2018, 1, 10)
    )

    def report(**params):
        body = analyst_api.get(f"{BASE}agreements/", params).json()
        counts = {row["country"]: row["count"] for row in body["by_country"]}
        return body["total"], counts, [row["id"] for row in body["expiring"]]

    assert report() == (3, {"VN": 2, "IN": 1}, [vietnam.pk, india.pk])
    assert report(country="VN", expiring_within=90) == (2, {"VN": 2}, [vietnam.pk])
    assert report(region="south_asia") == (1, {"IN": 1}, [india.pk])
    assert report(asean="true", sector="road") == (1, {"VN": 1}, [vietnam.pk])
    assert report(kind="mou") == (1, {"VN": 1}, [])
    assert report(year=2018) == (1, {"VN": 1}, [])
    # The window of `expiring`, not a filter of the statistics.
    assert report(expiring_within=10) == (3, {"VN": 2, "IN": 1}, [])
    body = analyst_api.get(f"{BASE}agreements/", {"sector": "road"}).json()
    assert [(row["sector"], row["count"]) for row in body["by_sector"]] == [("road", 2)]
    assert body["expiring"][0] == {
        "id": vietnam.pk,
        "display": str(vietnam),
        "counterpart_country": "VN",
        "status": "in_force",
        "expires_on": in_a_month.isoformat(),
    }


@pytest.mark.django_db
def test_top_sales_effect_takes_the_meetings_lists_filters(analyst_api):
    road, port, metro = _meetings_of_two_missions()
    metro.status, metro.awarded_on = "won_foreign", datetime.date(2019, 3, 1)
    metro.save()
    already_won = factories.ProjectFactory(
        status="won_japanese",
        awarded_on=datetime.date(2017, 1, 1),
        awarded_to=factories.JapaneseCompanyFactory(),
    )
    dropped = factories.ProjectFactory(status="dropped")
    factories.MeetingFactory(
        mission=port, counterpart_country="TH", projects=[already_won, dropped]
    )

    def effect(**params):
        body = analyst_api.get(f"{BASE}top-sales-effect/", params).json()
        groups = ("won_japanese", "won_foreign", "dropped", "still_open", "won_before_promotion")
        return body["projects"], *(body[group] for group in groups)

    assert effect(year=2018) == (3, 0, 1, 1, 0, 1)
    assert effect(year=2019) == (0, 0, 0, 0, 0, 0)
    assert effect(country="VN") == (1, 0, 1, 0, 0, 0)
    assert effect(mission=port.pk, year=2018) == (2, 0, 0, 1, 0, 1)
    assert effect(sector="road") == (1, 0, 1, 0, 0, 0)
    body = analyst_api.get(f"{BASE}top-sales-effect/", {"project": metro.pk}).json()
    assert body["project_ids"]["won_foreign"] == [metro.pk]


@pytest.mark.django_db
def test_pipeline_and_order_figures_take_their_lists_filters(analyst_api):
    factories.ProjectFactory(stage="construction", sector="port", country="VN")
    factories.ProjectFactory(stage="construction", sector="road", country="GH")
    factories.ProjectFactory(stage="master_plan", sector="port", country="IN", status="on_hold")
    factories.OrderFigureFactory(year=2010, amount_jpy=10 * 10**12, kind="actual")
    factories.OrderFigureFactory(year=2017, amount_jpy=23 * 10**12, kind="actual")
    factories.OrderFigureFactory(year=2020, amount_jpy=30 * 10**12, kind="target")

    def pipeline(**params):
        body = analyst_api.get(f"{BASE}pipeline/", params).json()
        return body["total"], {
            row["stage"]: row["count"] for row in body["by_stage"] if row["count"]
        }

    assert pipeline() == (3, {"master_plan": 1, "construction": 2})
    assert pipeline(sector="port") == (2, {"master_plan": 1, "construction": 1})
    assert pipeline(asean="true") == (1, {"construction": 1})
    assert pipeline(status="on_hold", region="south_asia") == (1, {"master_plan": 1})

    orders = analyst_api.get(f"{BASE}order-figures/").json()
    assert orders["ratio"] == pytest.approx(23 / 30)
    older = analyst_api.get(f"{BASE}order-figures/", {"year_max": 2015}).json()
    assert older["latest_actual"]["year"] == 2010
    assert older["target"] is None
    actuals = analyst_api.get(f"{BASE}order-figures/", {"kind": "actual"}).json()
    assert ([row["year"] for row in actuals["actuals"]], actuals["targets"]) == ([2010, 2017], [])


# -- the source document's figures -----------------------------------------------------


@pytest.mark.django_db
def test_demo_reads_the_articles_top_sales_figures(demo_data, analyst_api):
    body = analyst_api.get(f"{BASE}engagements/", {"year": 2018}).json()
    assert (body["engagements"], body["countries"], body["asean_engagements"]) == (69, 31, 35)
    assert body["sentence"]["ja"] == "2018年に31カ国，延べ69件（うちASEAN諸国が35件）"
    assert body["sentence"]["en"] == (
        "In 2018: 69 top-sales engagements in 31 countries (35 in ASEAN countries)"
    )


@pytest.mark.django_db
def test_demo_reads_the_articles_watch_list_figures(demo_data, analyst_api):
    body = analyst_api.get(f"{BASE}watch-list-transition/", {"edition": 2019}).json()
    figures = [
        body[key]
        for key in (
            "previous_total",
            "won_japanese",
            "won_foreign",
            "removed",
            "continued",
            "added",
            "total",
        )
    ]
    assert figures == [83, 10, 1, 7, 65, 18, 83]
    assert (body["balanced"], body["problems"]) == (True, [])
    breakdown = analyst_api.get(f"{BASE}watch-list-breakdown/", {"edition": 2019}).json()
    by_region = {row["region"]: row["count"] for row in breakdown["by_region"]}
    assert (by_region["southeast_asia"], by_region["south_asia"]) == (46, 9)
