"""The report endpoints: their contract, their parameters, who may read them, and
the source document's figures read back after load_demo."""

import datetime

import pytest
from rest_framework.test import APIClient

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


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params,parameter",
    [
        ({"year": "abc"}, "year"),
        ({"year": 2018, "fiscal_year": 2018}, "non_field_errors"),
        ({"start": "2018-01-01"}, "end"),
        ({"country": "XX"}, "country"),
        ({"region": "atlantis"}, "region"),
        ({"leader_rank": "emperor"}, "leader_rank"),
        ({"asean": "perhaps"}, "asean"),
        ({"year": "2018\x00"}, "year"),
    ],
)
def test_bad_parameters_are_400s_naming_them(analyst_api, params, parameter):
    assert_bad_parameter(analyst_api, f"{BASE}engagements/", params, parameter)


@pytest.mark.django_db
def test_unknown_watch_list_edition_is_404(analyst_api):
    assert analyst_api.get(f"{BASE}watch-list-transition/", {"edition": 1999}).status_code == 404
    assert analyst_api.get(f"{BASE}watch-list-transition/").status_code == 400


@pytest.mark.django_db
def test_other_reports_answer(analyst_api):
    factories.ProjectFactory(stage="construction", sector="port")
    factories.OrderFigureFactory(year=2017, amount_jpy=23 * 10**12, kind="actual")
    factories.OrderFigureFactory(year=2020, amount_jpy=30 * 10**12, kind="target")
    pipeline = analyst_api.get(f"{BASE}pipeline/", {"sector": "port"}).json()
    assert pipeline["total"] == 1
    orders = analyst_api.get(f"{BASE}order-figures/").json()
    assert orders["ratio"] == pytest.approx(23 / 30)
    assert analyst_api.get(f"{BASE}agreements/", {"expiring_within": 90}).status_code == 200
    assert analyst_api.get(f"{BASE}agreements/", {"expiring_within": -1}).status_code == 400
    assert analyst_api.get(f"{BASE}top-sales-effect/", {"year": 2018}).status_code == 200


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
    breakdown = analyst_api.get(f"{BASE}watch-list-breakdown/", {"edition": 2019}).json()
    by_region = {row["region"]: row["count"] for row in breakdown["by_region"]}
    assert (by_region["southeast_asia"], by_region["south_asia"]) == (46, 9)
