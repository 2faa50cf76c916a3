"""The analysts' pages as Japanese staff read them (issue 17, item 8): filters labelled
in words, the watch-list page's figures labelled and its editions named in Japanese,
project names linking to their record, the dashboard's sources in the reader's
language, and the brief putting a mission's follow-up under the country it concerns
and an agreement on the row of the meeting it was signed at."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from agreements.choices import AgreementStatus
from missions.choices import MissionStatus
from projects.choices import FigureKind, WatchListOutcome
from projects.filters import OrderFigureFilterSet, ProjectFilterSet
from tests.factories import (
    AgreementFactory,
    FollowUpFactory,
    MeetingFactory,
    MissionFactory,
    OrderFigureFactory,
    ProjectFactory,
    WatchListEntryFactory,
    WatchListFactory,
)
from tests.reports.html import text_of

pytestmark = pytest.mark.django_db

day = datetime.date


# Filter labels in words


@pytest.mark.parametrize(
    ("filterset", "low", "high", "words"),
    [
        (ProjectFilterSet, "estimated_cost_jpy_min", "estimated_cost_jpy_max", "概算事業費"),
        (OrderFigureFilterSet, "year_min", "year_max", "年"),
    ],
)
def test_number_bounds_are_labelled_in_words_not_signs(filterset, low, high, words):
    with translation.override("ja"):
        filters = filterset.base_filters
        low_label, high_label = str(filters[low].label), str(filters[high].label)
    assert low_label.endswith("（以上）") and high_label.endswith("（以下）")
    assert words in low_label
    for label in (low_label, high_label):
        assert "≥" not in label and "≤" not in label


def test_the_list_pages_show_no_comparison_signs(analyst_client):
    for name in ("mission-list", "meeting-list", "agreement-list", "project-list"):
        page = analyst_client.get(reverse(f"reports:{name}")).content.decode()
        assert "≥" not in page and "≤" not in page, name
    page = text_of(analyst_client.get(reverse("reports:meeting-list")))
    assert "（から）" in page and "（まで）" in page


# The watch-list page


def _two_editions():
    previous = WatchListFactory(
        edition_year=2018, name="Action Plan 2018", name_ja="海外展開行動計画2018"
    )
    edition = WatchListFactory(
        edition_year=2019,
        name="Action Plan 2019",
        name_ja="海外展開行動計画2019",
        previous=previous,
    )
    won = WatchListEntryFactory(
        watch_list=previous,
        project=ProjectFactory(name="Won project", name_ja="受注案件"),
        outcome_at_next_edition=WatchListOutcome.WON_JAPANESE,
    )
    kept = WatchListEntryFactory(
        watch_list=previous,
        project=ProjectFactory(name="Kept project"),
        outcome_at_next_edition=WatchListOutcome.CONTINUED,
    )
    WatchListEntryFactory(watch_list=edition, project=kept.project)
    return previous, edition, won.project


def test_the_watch_list_page_labels_its_figures_and_names_editions_in_japanese(analyst_client):
    _previous, _edition, won = _two_editions()
    response = analyst_client.get(reverse("reports:watch-list"))
    page = text_of(response)
    assert (
        "前年版 2 → 日本企業受注 1 / 外国企業受注 0 / 削除 0 / 継続 1 / 追加 0 → "
        "海外展開行動計画2019 1"
    ) in page
    assert "海外展開行動計画2018 → 海外展開行動計画2019" in page
    assert "Action Plan" not in page
    # The region chart says which edition it shows, in words and to screen readers.
    assert "グラフ：海外展開行動計画2019の地域別案件数" in page
    assert 'aria-label="海外展開行動計画2019：地域別案件数"' in response.content.decode()
    # The edition choice names them in Japanese too.
    assert [label for _value, label in response.context["form"].fields["edition"].choices] == [
        "海外展開行動計画2019"
    ]


def _in_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("reports:dashboard")})


def test_the_watch_list_page_names_editions_in_english_for_english_readers(analyst_client):
    _two_editions()
    _in_english(analyst_client)
    page = text_of(analyst_client.get(reverse("reports:watch-list")))
    assert "Action Plan 2018 → Action Plan 2019" in page
    assert "Previous edition 2 → Won by Japanese firms 1" in page


def test_an_edition_without_a_japanese_name_keeps_its_english_one(analyst_client):
    previous = WatchListFactory(edition_year=2018, name="Action Plan 2018")
    WatchListFactory(edition_year=2019, name="Action Plan 2019", previous=previous)
    page = text_of(analyst_client.get(reverse("reports:watch-list")))
    assert "Action Plan 2018 → Action Plan 2019" in page


def test_project_names_link_to_their_record_for_those_who_may_open_it(analyst_client):
    """To the project's page (reports:project-detail); who may not open it gets the
    name without a link (tests/reports/test_record_pages.py)."""
    _previous, _edition, won = _two_editions()
    url = reverse("reports:project-detail", args=[won.pk])
    page = analyst_client.get(reverse("reports:watch-list")).content.decode()
    assert f'<a href="{url}">受注案件</a>' in page
    assert analyst_client.get(url).status_code == 200
    brief = analyst_client.get(reverse("reports:country-brief", args=[won.country.code]))
    assert f'href="{url}"' in brief.content.decode()


# The dashboard's sources


def test_the_dashboard_gives_the_source_in_the_readers_language(analyst_client):
    OrderFigureFactory(
        year=2017,
        kind=FigureKind.ACTUAL,
        source="MLIT report, Figure 1",
        source_ja="国土交通省資料 図1",
    )
    OrderFigureFactory(year=2016, kind=FigureKind.ACTUAL, source="Only in English")
    page = text_of(analyst_client.get(reverse("reports:dashboard")))
    assert "国土交通省資料 図1" in page and "MLIT report, Figure 1" not in page
    assert "Only in English" in page  # no Japanese: the English rather than nothing
    _in_english(analyst_client)
    page = text_of(analyst_client.get(reverse("reports:dashboard")))
    assert "MLIT report, Figure 1" in page and "国土交通省資料 図1" not in page


# The country brief


def _mission_to(*countries):
    start = day(2019, 8, 28)
    mission = MissionFactory(start_date=start, end_date=start + datetime.timedelta(days=5))
    meetings = [
        MeetingFactory(
            mission=mission,
            counterpart_country=country,
            date=start + datetime.timedelta(days=index),
        )
        for index, country in enumerate(countries)
    ]
    return mission, meetings


def test_a_missions_follow_up_appears_in_the_brief_of_the_country_it_concerns_only(
    analyst_client,
):
    mission, _meetings = _mission_to("GH", "TN")
    ghana = FollowUpFactory(target=mission, title="For Ghana", country="GH")
    tunisia = FollowUpFactory(target=mission, title="For Tunisia", country="TN")

    def followups_in(code):
        response = analyst_client.get(reverse("reports:country-brief", args=[code]))
        return {row["followup"] for row in response.context["followups"]}, response

    in_ghana, response = followups_in("GH")
    assert in_ghana == {ghana}
    assert response.context["totals"]["followups"] == 1
    assert followups_in("TN")[0] == {tunisia}


def test_a_follow_up_on_a_mission_of_several_countries_names_one_of_them():
    mission, _meetings = _mission_to("GH", "TN")
    followup = FollowUpFactory.build(target=mission, due_on=day(2019, 9, 30))
    with pytest.raises(ValidationError) as error:
        followup.full_clean()
    assert "country" in error.value.message_dict
    followup.country = "KE"
    with pytest.raises(ValidationError) as error:
        followup.full_clean()
    assert error.value.message_dict["country"] == ["このミッションはこの国と会談していません。"]
    followup.country = "TN"
    followup.full_clean()
    # A mission of one country needs none.
    single, _meetings = _mission_to("VN")
    FollowUpFactory.build(target=single, due_on=day(2019, 9, 30)).full_clean()


def test_the_api_takes_the_country_a_missions_follow_up_concerns(api):
    mission, _meetings = _mission_to("GH", "TN")
    body = {
        "target": {"type": "missions.mission", "id": mission.pk},
        "title": "Send the F/S proposal",
        "due_on": "2019-09-30",
    }
    refused = api.post("/api/v1/follow-ups/", body, format="json")
    assert refused.status_code == 400
    assert "country" in refused.json()
    created = api.post("/api/v1/follow-ups/", {**body, "country": "GH"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["country"] == "GH"


def test_an_agreement_signed_at_a_meeting_is_on_that_meetings_row(analyst_client):
    mission, (ghana, _tunisia) = _mission_to("GH", "TN")
    mission.status = MissionStatus.COMPLETED
    mission.save()
    AgreementFactory(
        title="MoC on roads",
        counterpart_country="GH",
        signed_at_meeting=ghana,
        status=AgreementStatus.SIGNED,
        signed_on=ghana.date,
    )
    AgreementFactory(title="MoC signed elsewhere", counterpart_country="GH")
    response = analyst_client.get(reverse("reports:country-brief", args=["GH"]))
    signed = [
        [str(agreement) for agreement in meeting.agreements_signed.all()]
        for engagement in response.context["engagements"]
        for meeting in engagement["meetings"]
    ]
    assert signed == [["MoC on roads"]]
    assert "ここで署名 MoC on roads" in text_of(response)
