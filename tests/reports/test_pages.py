"""The analysts' pages: who may see them, what they show, and that they stay cheap."""

import csv
import datetime
import io
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import ANALYST, DATA_ENTRY
from agreements.choices import AgreementStatus
from core.models import Sector
from core.sectors import SectorCode
from exports.choices import ExportStatus
from exports.models import ExportJob
from followups.choices import FollowUpStatus
from missions.choices import LeaderRank, MissionStatus
from projects.choices import Stage, WatchListOutcome
from reports.views import (
    AgreementListView,
    CountryBriefView,
    MeetingListView,
    MissionListView,
    ProjectListView,
)
from tests.accounts.test_language import _english_labels_of_ours, _visible_text
from tests.factories import (
    AgreementFactory,
    FollowUpFactory,
    MeetingFactory,
    MissionFactory,
    NoteFactory,
    OrganizationFactory,
    PersonFactory,
    PostFactory,
    ProjectFactory,
    UserFactory,
    WatchListEntryFactory,
    WatchListFactory,
)
from tests.reports.html import rows_of, text_of

pytestmark = pytest.mark.django_db

day = datetime.date

PAGES = [
    reverse("reports:dashboard"),
    reverse("reports:mission-list"),
    reverse("reports:meeting-list"),
    reverse("reports:agreement-list"),
    reverse("reports:project-list"),
    reverse("reports:country-picker"),
    reverse("reports:country-brief", args=["GH"]),
    reverse("reports:watch-list"),
    reverse("reports:export-list"),
    reverse("search:search") + "?q=Ghana",
    reverse("search:saved-filters"),
]
LISTS = [MissionListView, MeetingListView, AgreementListView, ProjectListView]


# Who may see the pages


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?{urlencode({'next': url}, safe='/')}"


@pytest.mark.parametrize("url", PAGES)
def test_users_without_view_permissions_get_403(client, url):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url).status_code == 403


def test_the_403_page_is_ours_in_the_users_language_with_the_log_out_form(client):
    user = UserFactory(username="visitor")
    client.force_login(user)
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="ja">' in html
    assert 'data-testid="access-denied"' in html
    text = text_of(response)
    assert "visitor" in text and "分析担当" in text  # who they are, which group they need
    assert f'action="{reverse("logout")}" method="post"' in html
    assert "ログアウト" in text
    assert f'action="{reverse("set_language")}" method="post"' in html
    assert "403 Forbidden" not in html


def test_a_refusal_in_the_admin_does_not_speak_of_the_analysts_pages(client, data_entry_user):
    client.force_login(data_entry_user)
    meeting = MeetingFactory()
    pk = meeting.pk
    meeting.delete()
    deletion = type(meeting).history.filter(id=pk, history_type="-").latest("history_id")
    response = client.post(
        reverse("admin:missions_meeting_restore", args=[deletion.history_id])
    )  # restoring is an administrator's decision
    assert response.status_code == 403
    text = text_of(response)
    assert "data-entry-user" in text and "分析担当" not in text


@pytest.mark.parametrize("url", PAGES)
def test_analysts_and_data_entry_staff_see_every_page(client, url):
    for group in (ANALYST, DATA_ENTRY):
        user = UserFactory()
        user.groups.add(Group.objects.get(name=group))
        client.force_login(user)
        assert client.get(url).status_code == 200, group


def test_the_site_root_leads_to_the_dashboard_and_staff_keep_the_admin(analyst_client):
    response = analyst_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:dashboard")
    page = analyst_client.get(reverse("reports:dashboard"))
    assert f'href="{reverse("admin:index")}"' in page.content.decode()


def test_logging_in_and_out_through_our_forms(client):
    user = UserFactory(username="reader")
    user.set_password("correct horse battery staple")
    user.save()
    user.groups.add(Group.objects.get(name=ANALYST))

    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()
    refused = client.post(
        reverse("login"),
        {"username": "reader", "password": "wrong password"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert refused.status_code == 200
    assert 'class="form-errors"' in refused.content.decode()

    response = client.post(
        reverse("login"),
        {"username": "reader", "password": "correct horse battery staple"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:dashboard")
    dashboard = client.get(reverse("reports:dashboard"))
    assert f'action="{reverse("logout")}" method="post"' in dashboard.content.decode()

    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert client.get(reverse("reports:dashboard")).status_code == 302


def test_the_language_switch_posts_to_set_language_and_pages_follow_it(
    analyst_client, analyst_user
):
    page = analyst_client.get(reverse("reports:dashboard")).content.decode()
    assert f'action="{reverse("set_language")}" method="post"' in page
    assert 'name="language" value="en"' in page
    assert "ダッシュボード" in page

    analyst_client.post(
        reverse("set_language"), {"language": "en", "next": reverse("reports:dashboard")}
    )
    assert "Dashboard" in analyst_client.get(reverse("reports:dashboard")).content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_japanese_pages_show_no_english_label_of_ours(analyst_client, analyst_user, url):
    meeting = _top_sales("GH", day(2019, 8, 28))
    # Records named in Japanese: only the interface's own words are looked for.
    AgreementFactory(title="ガーナとの協力覚書", counterpart_country="GH", expires_on=None)
    ProjectFactory(name="ガーナ鉄道", country="GH")
    FollowUpFactory(target=meeting, title="資料送付", status=FollowUpStatus.OPEN)
    ExportJob.objects.create(
        user=analyst_user,
        resource="meetings",
        format="xlsx",
        query="country=GH",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    text = _visible_text(analyst_client.get(url).content.decode())
    leaked = sorted(label for label in _english_labels_of_ours() if f" {label} " in f" {text} ")
    assert leaked == []


# No inline script anywhere (the Content-Security-Policy allows only our static files)


@pytest.mark.parametrize("url", [*PAGES, reverse("login")])
def test_pages_carry_no_inline_script_or_event_handler(analyst_client, url):
    if url == reverse("login"):
        analyst_client.logout()
    html = analyst_client.get(url).content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", html)


# The dashboard


def _top_sales(country, date, **kwargs):
    kwargs.setdefault("status", MissionStatus.COMPLETED)
    mission = MissionFactory(start_date=date, end_date=date, **kwargs)
    return MeetingFactory(
        mission=mission, counterpart_country=country, venue_country=country, date=date
    )


def test_the_dashboard_opens_on_the_latest_year_with_records_and_shows_any_year_on_request(
    analyst_client, analyst_user
):
    _top_sales("VN", day(2018, 5, 1))
    _top_sales("IN", day(2018, 6, 1))
    _top_sales("TH", day(2019, 2, 1))  # 2019, but fiscal year 2018
    _top_sales("GH", day(2019, 8, 28))

    page = text_of(analyst_client.get(reverse("reports:dashboard")))
    assert "2019年に2カ国，延べ2件（うちASEAN諸国が1件）" in page

    page = text_of(analyst_client.get(reverse("reports:dashboard"), {"year": 2018}))
    assert "2018年に2カ国，延べ2件（うちASEAN諸国が1件）" in page

    page = text_of(
        analyst_client.get(reverse("reports:dashboard"), {"year": 2018, "basis": "fiscal"})
    )
    assert "2018年度に3カ国，延べ3件（うちASEAN諸国が2件）" in page

    # By fiscal year, it opens on the latest fiscal year with records.
    page = text_of(analyst_client.get(reverse("reports:dashboard"), {"basis": "fiscal"}))
    assert "2019年度に1カ国，延べ1件（うちASEAN諸国が0件）" in page

    analyst_user.language = "en"
    analyst_user.save()
    page = text_of(analyst_client.get(reverse("reports:dashboard"), {"year": 2018}))
    assert "In 2018: 2 top-sales engagements in 2 countries (1 in ASEAN countries)" in page


def test_the_dashboard_opens_on_the_latest_year_even_after_2018(analyst_client):
    _top_sales("VN", day(2017, 5, 1))
    _top_sales("TH", day(2018, 5, 1))
    _top_sales("TH", day(2021, 5, 1))
    page = text_of(analyst_client.get(reverse("reports:dashboard")))
    assert "2021年に1カ国，延べ1件（うちASEAN諸国が1件）" in page


def test_the_dashboard_charts_come_with_their_numbers_in_tables(analyst_client):
    _top_sales("VN", day(2018, 5, 1))
    expiring = AgreementFactory(
        status=AgreementStatus.IN_FORCE,
        signed_on=day(2018, 1, 1),
        effective_on=day(2018, 1, 1),
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
        title="Expiring Memorandum",
    )
    response = analyst_client.get(reverse("reports:dashboard"))
    html = response.content.decode()
    for chart in ("engagements", "pipeline", "agreements", "orders"):
        assert f'data-chart="chart-{chart}"' in html
        assert f'id="chart-{chart}" type="application/json"' in html
    assert "reports/vendor/chart.umd.min.js" in html
    assert "reports/charts.js" in html
    assert response.context["charts"]["engagements"]["datasets"][0]["data"] == [1]
    assert str(expiring) in text_of(response)


@pytest.mark.parametrize("query", [{"year": "abc"}, {"basis": "lunar"}, {"year": "1066"}])
def test_the_dashboard_reports_a_bad_choice_instead_of_failing(analyst_client, query):
    response = analyst_client.get(reverse("reports:dashboard"), query)
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()


def test_the_dashboard_runs_a_fixed_number_of_queries(analyst_client):
    def count():
        analyst_client.get(reverse("reports:dashboard"))
        with CaptureQueriesContext(connection) as queries:
            assert analyst_client.get(reverse("reports:dashboard")).status_code == 200
        return len(queries)

    _top_sales("VN", day(2018, 5, 1))
    small = count()
    for offset in range(30):
        _top_sales("TH", day(2018, 6, 1) + datetime.timedelta(days=offset))
    assert count() == small


# The lists


def test_every_filter_field_the_lists_show_exists_in_the_filterset():
    for view in LISTS:
        names = set(view.viewset.filterset_class.base_filters)
        assert set(view.form_fields) <= names, view.__name__
        ordering = view.viewset.filterset_class.base_filters["ordering"]
        fields = {value.lstrip("-") for value, _label in ordering.extra["choices"]}
        for column in view.columns:
            assert column.ordering is None or column.ordering in fields, column


def test_lists_use_the_api_filterset_form(analyst_client):
    html = analyst_client.get(reverse("reports:meeting-list")).content.decode()
    for name in ("q", "year", "fiscal_year", "country", "region", "asean", "top_sales"):
        assert f'name="{name}"' in html


def test_filter_forms_read_in_the_pages_language(analyst_client, analyst_user):
    html = analyst_client.get(reverse("reports:meeting-list")).content.decode()
    assert '<option value="GH">ガーナ</option>' in html
    assert '<option value="" selected>指定なし</option>' in html  # asean, top_sales: no filter
    analyst_user.language = "en"
    analyst_user.save()
    html = analyst_client.get(reverse("reports:meeting-list")).content.decode()
    assert '<option value="GH">Ghana</option>' in html
    # The choice made stays chosen, in the list's form and in the brief's picker.
    html = analyst_client.get(reverse("reports:meeting-list"), {"country": "GH"}).content.decode()
    assert '<select name="country" multiple id="id_country" size="6">' in html
    assert '<option value="GH" selected>Ghana</option>' in html
    html = analyst_client.get(reverse("reports:country-brief", args=["GH"])).content.decode()
    assert '<option value="GH" selected>Ghana</option>' in html
    assert '<option value="JP">' not in html  # never a counterpart


def test_a_list_filters_with_the_api_parameters(analyst_client):
    ghana = _top_sales("GH", day(2019, 8, 28))
    _top_sales("VN", day(2018, 5, 1))

    response = analyst_client.get(reverse("reports:meeting-list"), {"country": "GH"})
    rows = rows_of(response)
    assert len(rows) == 1
    assert "ガーナ" in rows[0] and "2019年8月28日" in rows[0]
    assert list(response.context["records"]) == [ghana]


@pytest.mark.parametrize(
    "view, query",
    [
        ("reports:meeting-list", {"year": "abc"}),
        ("reports:meeting-list", {"country": "XX"}),
        ("reports:meeting-list", {"date_after": "28/08/2019"}),
        ("reports:meeting-list", {"asean": "perhaps"}),
        ("reports:mission-list", {"ordering": "password"}),
        ("reports:mission-list", {"leader": "999999"}),
        ("reports:agreement-list", {"expiring_within": "-1"}),
        ("reports:agreement-list", {"status": "lost"}),
        ("reports:project-list", {"estimated_cost_jpy_min": "lots"}),
        ("reports:project-list", {"region": "atlantis"}),
    ],
)
def test_invalid_filters_are_reported_on_the_page_never_a_500(analyst_client, view, query):
    _top_sales("GH", day(2019, 8, 28))
    response = analyst_client.get(reverse(view), query)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="form-errors"' in html
    assert 'class="records"' not in html  # no rows until the filters are right
    assert "download-csv" not in html


def test_a_bad_page_number_shows_a_page_anyway(analyst_client):
    ProjectFactory()
    for page in ("abc", "0", "999"):
        assert (
            analyst_client.get(reverse("reports:project-list"), {"page": page}).status_code == 200
        )


def test_sortable_headers_and_pages_keep_the_filters(analyst_client):
    for number in range(51):
        ProjectFactory(name=f"Project {number:03d}", country="VN")
    ProjectFactory(name="Elsewhere", country="IN")

    first = analyst_client.get(
        reverse("reports:project-list"), {"country": "VN", "ordering": "name"}
    )
    assert first.context["page"].paginator.count == 51
    assert len(rows_of(first)) == 50
    assert rows_of(first)[0].startswith("Project 000")
    html = first.content.decode()
    assert 'href="?country=VN&amp;ordering=name&amp;page=2"' in html
    # The header of the sorted column reverses it, the others sort by themselves.
    assert 'href="?country=VN&amp;ordering=-name"' in html
    assert 'href="?country=VN&amp;ordering=stage"' in html
    # The filters submit again with the sort order kept.
    assert '<input type="hidden" name="ordering" value="name">' in html

    second = analyst_client.get(
        reverse("reports:project-list"), {"country": "VN", "ordering": "name", "page": 2}
    )
    assert rows_of(second)[0].startswith("Project 050")
    reverse_sorted = analyst_client.get(
        reverse("reports:project-list"), {"country": "VN", "ordering": "-name"}
    )
    assert rows_of(reverse_sorted)[0].startswith("Project 050")


def test_the_download_links_give_exactly_the_filtered_rows_with_the_api_columns(analyst_client):
    ProjectFactory(name="Hanoi Metro", country="VN")
    ProjectFactory(name="Mumbai Port", country="IN")
    page = analyst_client.get(reverse("reports:project-list"), {"country": "VN", "page": "1"})
    links = {kind: page.context[f"{kind}_url"] for kind in ("csv", "xlsx")}
    assert links["csv"] == f"{reverse('api:project-list')}?country=VN&format=csv"
    assert links["xlsx"] == f"{reverse('api:project-list')}?country=VN&format=xlsx"

    download = analyst_client.get(links["csv"])
    assert download.status_code == 200
    content = b"".join(download.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    assert len(rows) == 2
    assert rows[1][0] == "Hanoi Metro"
    xlsx = analyst_client.get(links["xlsx"])
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def _rich_meeting(country, date, people=2):
    """A top-sales meeting with counterparts (each with posts), organisations,
    projects and sectors: everything a row shows."""
    mission = MissionFactory(
        start_date=date,
        end_date=date,
        status=MissionStatus.COMPLETED,
        sectors=[Sector.objects.get(code=SectorCode.ROAD)],
        delegation=[OrganizationFactory(country="JP")],
    )
    counterparts = []
    for _number in range(people):
        person = PersonFactory()
        PostFactory(person=person, start_date=day(2010, 1, 1), end_date=day(2015, 12, 31))
        PostFactory(person=person, start_date=day(2016, 1, 1))
        counterparts.append(person)
    project = ProjectFactory(country=country)
    meeting = MeetingFactory(
        mission=mission,
        date=date,
        counterpart_country=country,
        counterparts=counterparts,
        counterpart_organizations=[OrganizationFactory(country=country)],
        projects=[project],
    )
    agreement = AgreementFactory(
        counterpart_country=country,
        counterpart_organizations=[OrganizationFactory(country=country)],
        sectors=[Sector.objects.get(code=SectorCode.ROAD)],
        projects=[project],
        signed_at_meeting=meeting,
        status=AgreementStatus.SIGNED,
        signed_on=date,
    )
    FollowUpFactory(target=meeting)
    FollowUpFactory(target=mission)
    FollowUpFactory(target=agreement)
    FollowUpFactory(target=project)
    return meeting


@pytest.mark.parametrize(
    "url",
    [
        reverse("reports:mission-list"),
        reverse("reports:meeting-list"),
        reverse("reports:agreement-list"),
        reverse("reports:project-list"),
        reverse("reports:country-brief", args=["VN"]),
        reverse("reports:country-picker"),
        reverse("reports:dashboard"),
    ],
)
def test_pages_run_the_same_number_of_queries_for_2_and_30_rows(analyst_client, url):
    def count():
        analyst_client.get(url)  # caches (content types, sessions) warm
        with CaptureQueriesContext(connection) as queries:
            assert analyst_client.get(url).status_code == 200
        return len(queries)

    for offset in range(2):
        _rich_meeting("VN", day(2018, 5, 1) + datetime.timedelta(days=offset))
    small = count()
    for offset in range(2, 30):
        _rich_meeting("VN", day(2018, 5, 1) + datetime.timedelta(days=offset))
    assert count() == small


def test_the_watch_list_page_runs_a_fixed_number_of_queries(analyst_client):
    previous = WatchListFactory(edition_year=2018)
    edition = WatchListFactory(edition_year=2019, previous=previous)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert analyst_client.get(reverse("reports:watch-list")).status_code == 200
        return len(queries)

    def add(number):
        for _index in range(number):
            entry = WatchListEntryFactory(
                watch_list=previous, outcome_at_next_edition=WatchListOutcome.CONTINUED
            )
            WatchListEntryFactory(watch_list=edition, project=entry.project)

    add(2)
    small = count()
    add(28)
    assert count() == small


# The country brief


def test_the_brief_of_an_unknown_country_is_404_and_codes_are_read_in_capitals(analyst_client):
    for code in ("XX", "ZZZ", "1"):
        assert analyst_client.get(f"/reports/countries/{code}/").status_code == 404
    response = analyst_client.get("/reports/countries/gh/")
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:country-brief", args=["GH"])


def test_the_country_picker_opens_a_brief_and_reports_a_bad_choice(analyst_client):
    response = analyst_client.get(reverse("reports:country-picker"), {"country": "GH"})
    assert response["Location"] == reverse("reports:country-brief", args=["GH"])
    response = analyst_client.get(reverse("reports:country-picker"), {"country": "XX"})
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()


def test_the_brief_names_each_counterpart_in_the_post_held_on_the_day(analyst_client):
    minister = PersonFactory(name="Kwasi Amoako-Atta")
    roads = OrganizationFactory(name="Ministry of Roads and Highways", country="GH")
    PostFactory(
        person=minister,
        organization=roads,
        title="Deputy Minister of Roads and Highways",
        title_ja="道路高速道副大臣",
        start_date=day(2015, 1, 1),
        end_date=day(2018, 12, 31),
    )
    PostFactory(
        person=minister,
        organization=roads,
        title="Minister of Roads and Highways",
        title_ja="道路高速道大臣",
        start_date=day(2019, 1, 1),
    )
    ticad = MissionFactory(
        title="TICAD7",
        start_date=day(2019, 8, 28),
        end_date=day(2019, 8, 30),
        status=MissionStatus.COMPLETED,
        leader_rank=LeaderRank.MINISTER,
    )
    MeetingFactory(
        mission=ticad,
        date=day(2019, 8, 28),
        counterpart_country="GH",
        venue_city="Yokohama",
        venue_country="JP",
        counterparts=[minister],
    )
    earlier = MissionFactory(
        title="Accra visit", start_date=day(2018, 3, 1), end_date=day(2018, 3, 2)
    )  # planned: a meeting, but no top sales
    MeetingFactory(
        mission=earlier, date=day(2018, 3, 1), counterpart_country="GH", counterparts=[minister]
    )

    response = analyst_client.get(reverse("reports:country-brief", args=["GH"]))
    page = text_of(response)
    assert "アフリカ" in page
    assert "TICAD7" in page and "2019年8月28日" in page
    assert "Kwasi Amoako-Atta 道路高速道大臣, Ministry of Roads and Highways" in page
    assert "Kwasi Amoako-Atta 道路高速道副大臣, Ministry of Roads and Highways" in page
    assert "2019年度" in page
    assert response.context["top_sales_count"] == 1
    assert response.context["totals"]["meetings"] == 2


def test_a_long_brief_shows_the_latest_records_counts_them_all_and_links_to_the_rest(
    analyst_client, monkeypatch
):
    monkeypatch.setattr(
        CountryBriefView,
        "limits",
        {"missions": 2, "agreements": 1, "projects": 1, "followups": 1, "notes": 1},
    )
    meetings = [_rich_meeting("GH", day(2018 + offset, 5, 1)) for offset in range(3)]
    upstream = ProjectFactory(country="GH", stage=Stage.IDENTIFICATION, name="Zz upstream")
    NoteFactory(target=meetings[0])
    NoteFactory(target=meetings[0].mission)

    response = analyst_client.get(reverse("reports:country-brief", args=["GH"]))

    shown = [engagement["mission"] for engagement in response.context["engagements"]]
    assert shown == [meetings[1].mission, meetings[2].mission]  # the latest, oldest first
    assert [agreement.signed_on for agreement in response.context["agreements"]] == [
        day(2020, 5, 1)
    ]
    # Upstream first (川上→川下), whatever the stages' codes would sort as.
    assert response.context["projects"] == [upstream]
    assert len(response.context["followups"]) == 1
    # The figures count everything, not only what is shown.
    assert response.context["totals"] == {
        "missions": 3,
        "meetings": 3,
        "agreements": 3,
        "projects": 4,
        "followups": 12,
        "notes": 2,
    }
    assert len(response.context["notes"]) == 1
    assert 'data-testid="more-notes"' in response.content.decode()
    assert response.context["top_sales_count"] == 3
    assert list(response.context["by_fiscal_year"].values()) == [1, 1, 1]
    html = response.content.decode()
    for name, list_name in (
        ("missions", "meeting"),
        ("agreements", "agreement"),
        ("projects", "project"),
    ):
        assert f'data-testid="more-{name}"' in html
        assert f'href="{reverse(f"reports:{list_name}-list")}?country=GH"' in html
    assert "3件のうち最新の2件" in text_of(response)


def test_the_brief_says_asean_membership_today(analyst_client):
    vietnam = analyst_client.get(reverse("reports:country-brief", args=["VN"]))
    india = analyst_client.get(reverse("reports:country-brief", args=["IN"]))
    assert vietnam.context["asean_today"] is True
    assert vietnam.context["region"] == "東南アジア"
    assert india.context["asean_today"] is False


def test_the_brief_lists_agreements_projects_and_only_the_countrys_open_follow_ups(
    analyst_client,
):
    meeting = _rich_meeting("GH", day(2019, 8, 28))
    elsewhere = _rich_meeting("TN", day(2019, 8, 28))
    FollowUpFactory(
        target=meeting, title="Already done", status=FollowUpStatus.DONE, done_on=day(2019, 9, 1)
    )
    cross_border = ProjectFactory(name="West Africa corridor", country="CI", other_countries=["GH"])

    response = analyst_client.get(reverse("reports:country-brief", args=["GH"]))
    followups = response.context["followups"]
    agreement = response.context["agreements"][0]
    assert {row["target"] for row in followups} == {
        meeting,
        meeting.mission,
        agreement,
        meeting.projects.get(),
    }
    assert all(row["followup"].status == FollowUpStatus.OPEN for row in followups)
    assert elsewhere not in {row["target"] for row in followups}
    assert cross_border in response.context["projects"]
    assert [agreement.counterpart_country.code for agreement in response.context["agreements"]] == [
        "GH"
    ]
    page = text_of(response)
    assert "2019年8月28日" in page  # signed on, in Japanese style


def test_dates_and_fiscal_years_follow_the_language(analyst_client, analyst_user):
    _top_sales("GH", day(2019, 8, 28))
    url = reverse("reports:country-brief", args=["GH"])
    assert "2019年8月28日" in text_of(analyst_client.get(url))
    assert "2019年度" in text_of(analyst_client.get(url))
    analyst_user.language = "en"
    analyst_user.save()
    page = text_of(analyst_client.get(url))
    assert "Aug. 28, 2019" in page
    assert "FY2019" in page


@pytest.mark.parametrize(
    ("today", "japanese", "english"),
    [
        (day(2019, 8, 28), "2019年（令和元年）8月28日現在", "As of Aug. 28, 2019"),
        (day(2019, 4, 30), "2019年（平成31年）4月30日現在", "As of April 30, 2019"),
        (day(2021, 1, 4), "2021年（令和3年）1月4日現在", "As of Jan. 4, 2021"),
    ],
)
def test_the_printed_brief_dates_itself_with_the_era_year_in_japanese(
    analyst_client, analyst_user, monkeypatch, today, japanese, english
):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)
    url = reverse("reports:country-brief", args=["GH"])
    as_of = re.compile(r'data-testid="as-of">([^<]*)<')
    assert as_of.search(analyst_client.get(url).content.decode())[1] == japanese
    analyst_user.language = "en"
    analyst_user.save()
    assert as_of.search(analyst_client.get(url).content.decode())[1] == english


def test_an_agreement_without_an_end_date_says_so_in_the_list_as_in_the_brief(analyst_client):
    AgreementFactory(title="Open-ended MoC", counterpart_country="GH", expires_on=None)
    listed = rows_of(analyst_client.get(reverse("reports:agreement-list")))
    brief = text_of(analyst_client.get(reverse("reports:country-brief", args=["GH"])))
    assert len(listed) == 1 and listed[0].endswith("期限なし")
    assert "期限なし" in brief


def test_the_brief_prints_on_a4_without_navigation(client):
    css = Path(finders.find("reports/site.css")).read_text(encoding="utf-8")
    assert "@page { size: A4" in css
    assert ".site-header" in css.split("@media print", 1)[1]


# The watch-list transition


def test_the_watch_list_page_defaults_to_the_latest_edition_with_a_previous(analyst_client):
    first = WatchListFactory(edition_year=2017, name="Action Plan 2017")
    second = WatchListFactory(edition_year=2018, name="Action Plan 2018", previous=first)
    third = WatchListFactory(edition_year=2019, name="Action Plan 2019", previous=second)
    won = WatchListEntryFactory(
        watch_list=second,
        project=ProjectFactory(name="Won project"),
        outcome_at_next_edition=WatchListOutcome.WON_JAPANESE,
    )
    kept = WatchListEntryFactory(
        watch_list=second,
        project=ProjectFactory(name="Kept project"),
        outcome_at_next_edition=WatchListOutcome.CONTINUED,
    )
    WatchListEntryFactory(watch_list=third, project=kept.project)
    WatchListEntryFactory(watch_list=third, project=ProjectFactory(name="New project"))

    response = analyst_client.get(reverse("reports:watch-list"))
    assert response.context["edition"] == third
    page = text_of(response)
    assert "2 → 1 / 0 / 0 / 1 / 1 → 2" in page
    assert won.project.name in page and "New project" in page

    older = analyst_client.get(reverse("reports:watch-list"), {"edition": 2018})
    assert older.context["edition"] == second
    bad = analyst_client.get(reverse("reports:watch-list"), {"edition": "2016"})
    assert bad.status_code == 200
    assert 'class="errorlist' in bad.content.decode()


def test_the_watch_list_page_without_editions_says_so(analyst_client):
    response = analyst_client.get(reverse("reports:watch-list"))
    assert response.status_code == 200
    assert response.context["edition"] is None


# Exports prepared in the background


def _prepare_in_the_background(client, capture, list_page, query, format="csv"):
    """Open the list page with `query` and press its "prepare in the background" button;
    without a broker the job is built once the request commits."""
    page = client.get(list_page, query).content.decode()
    form = page.split('data-testid="background-export"', 1)[1].split("</form>", 1)[0]
    fields = dict(re.findall(r'name="(resource|query)" value="([^"]*)"', form))
    assert f'name="format" value="{format}"' in form
    with capture(execute=True):
        return client.post(
            reverse("reports:export-list"),
            {
                **{name: value.replace("&amp;", "&") for name, value in fields.items()},
                "format": format,
            },
        )


def test_a_list_is_prepared_in_the_background_with_the_pages_filters(
    analyst_client, analyst_user, django_capture_on_commit_callbacks
):
    ProjectFactory(name="Hanoi Metro", country="VN")
    ProjectFactory(name="Ho Chi Minh City Metro", country="VN")
    ProjectFactory(name="Mumbai Port", country="IN")
    response = _prepare_in_the_background(
        analyst_client,
        django_capture_on_commit_callbacks,
        reverse("reports:project-list"),
        {"q": "", "country": "VN", "ordering": "-name", "page": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:export-list")
    job = ExportJob.objects.get()
    assert (job.user, job.resource, job.format) == (analyst_user, "projects", "csv")
    assert job.query == "country=VN&ordering=-name"
    assert job.language == "ja"

    page = analyst_client.get(reverse("reports:export-list"))
    html = page.content.decode()
    row = html.split(f'data-testid="export-{job.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "100%" in row and "作成済み" in row  # ExportStatus.DONE's label
    assert "ベトナム" in row  # country=VN, named in the reader's language
    assert 'http-equiv="refresh"' not in html  # nothing left to wait for
    link = re.search(r'href="([^"]+)" data-testid="export-download"', row)[1]
    assert link == reverse("api:exportjob-download", args=[job.pk])
    download = analyst_client.get(link)
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["Ho Chi Minh City Metro", "Hanoi Metro"]


def test_the_exports_page_reloads_itself_while_a_job_is_waiting(analyst_client, analyst_user):
    job = ExportJob.objects.create(
        user=analyst_user,
        resource="meetings",
        format="xlsx",
        query="",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    html = analyst_client.get(reverse("reports:export-list")).content.decode()
    assert '<meta http-equiv="refresh" content="5">' in html
    row = html.split(f'data-testid="export-{job.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "0%" in row and 'data-testid="export-download"' not in row


def test_another_user_neither_sees_nor_downloads_my_export(
    analyst_client, client, django_capture_on_commit_callbacks
):
    MissionFactory()
    _prepare_in_the_background(
        analyst_client, django_capture_on_commit_callbacks, reverse("reports:mission-list"), {}
    )
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.DONE
    someone_else = UserFactory()
    someone_else.groups.add(Group.objects.get(name=ANALYST))
    client.force_login(someone_else)
    page = client.get(reverse("reports:export-list"))
    assert page.context["jobs"] == []
    assert f'data-testid="export-{job.pk}"' not in page.content.decode()
    assert client.get(reverse("api:exportjob-download", args=[job.pk])).status_code == 404


def test_an_expired_export_shows_as_expired_without_a_link(
    analyst_client, analyst_user, django_capture_on_commit_callbacks
):
    analyst_user.language = "en"
    analyst_user.save()
    MissionFactory()
    _prepare_in_the_background(
        analyst_client, django_capture_on_commit_callbacks, reverse("reports:mission-list"), {}
    )
    ExportJob.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    html = analyst_client.get(reverse("reports:export-list")).content.decode()
    row = html.split('data-testid="export-', 1)[1].split("</tr>", 1)[0]
    assert "Expired" in row
    assert "Ready" not in row
    assert 'data-testid="export-download"' not in html


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"resource": "projects", "format": "csv", "query": "contry=VN"}, 400),
        ({"resource": "projects", "format": "csv", "query": "country=XX"}, 400),
        ({"resource": "projects", "format": "pdf", "query": ""}, 400),
        ({"resource": "users", "format": "csv", "query": ""}, 400),
    ],
)
def test_a_forged_background_export_is_refused_and_nothing_is_queued(
    analyst_client, fields, status
):
    response = analyst_client.post(reverse("reports:export-list"), fields)
    assert response.status_code == status
    assert 'class="form-errors"' in response.content.decode()
    assert not ExportJob.objects.exists()


def _filters_shown(response, job):
    """The text of the Filters cell of `job`'s row on My exports."""
    row = response.content.decode().split(f'data-testid="export-{job.pk}"', 1)[1]
    cell = row.split("</tr>", 1)[0].split("<td>", 2)[2].split("</td>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


def _export_job(user, query):
    return ExportJob.objects.create(
        user=user,
        resource="meetings",
        format="csv",
        query=query,
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )


@pytest.mark.parametrize(
    ("language", "ordering", "shown"),
    [
        (
            "ja",
            "date",
            "相手国: ガーナ, タイ ミッションの状況: 完了 売り込んだ案件: アクラ・クマシ鉄道 "
            "トップセールス: はい 順序: 日付",
        ),
        (
            "en",
            "-date",
            "counterpart country: Ghana, Thailand mission status: Completed "
            "projects promoted: Accra–Kumasi railway top sales: Yes Ordering: Date (descending)",
        ),
    ],
)
def test_my_exports_show_the_filters_as_a_person_reads_them(
    analyst_client, analyst_user, language, ordering, shown
):
    analyst_user.language = language
    analyst_user.save()
    project = ProjectFactory(
        name="Accra–Kumasi railway", name_ja="アクラ・クマシ鉄道", country="GH"
    )
    job = _export_job(
        analyst_user,
        f"country=GH&country=TH&mission_status=completed&project={project.pk}"
        f"&top_sales=true&ordering={ordering}",
    )
    assert _filters_shown(analyst_client.get(reverse("reports:export-list")), job) == shown


def test_my_exports_run_a_fixed_number_of_queries_whatever_the_filters_name(
    analyst_client, analyst_user
):
    def add(number):
        for _index in range(number):
            project, mission = ProjectFactory(), MissionFactory()
            _export_job(
                analyst_user,
                f"country=GH&project={project.pk}&mission={mission.pk}&leader={mission.leader_id}",
            )

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert analyst_client.get(reverse("reports:export-list")).status_code == 200
        return len(queries)

    add(2)
    analyst_client.get(reverse("reports:export-list"))  # caches (content types, sessions) warm
    small = count()
    add(28)
    assert count() == small


def test_an_export_of_a_list_i_may_no_longer_view_has_no_download_link(
    analyst_client, analyst_user, django_capture_on_commit_callbacks
):
    MissionFactory()
    _prepare_in_the_background(
        analyst_client, django_capture_on_commit_callbacks, reverse("reports:mission-list"), {}
    )
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.DONE
    # Still an analyst of meetings, agreements and projects, but no longer of missions.
    analyst_user.groups.clear()
    for permission in ("view_meeting", "view_agreement", "view_project"):
        analyst_user.user_permissions.add(Permission.objects.get(codename=permission))

    html = analyst_client.get(reverse("reports:export-list")).content.decode()
    row = html.split(f'data-testid="export-{job.pk}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="export-download"' not in row
    assert "このレコードを閲覧する権限がなくなりました。" in row
    assert analyst_client.get(reverse("api:exportjob-download", args=[job.pk])).status_code == 403
