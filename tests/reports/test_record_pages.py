"""The record pages: a mission's, meeting's, agreement's or project's own page on the
analysts' pages, read-only and printable, linked from the lists, the country brief and
the search; who may see it, what it shows and hides, its history, and its cost."""

import datetime
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from accounts.roles import ANALYST
from audit.models import ReadEvent
from core.classification import Classification
from followups.choices import FollowUpStatus
from missions.choices import MissionStatus
from tests.accounts.test_language import _english_labels_of_ours, _visible_text
from tests.factories import (
    AgreementFactory,
    FollowUpFactory,
    MeetingFactory,
    MissionFactory,
    OrganizationFactory,
    PersonFactory,
    PostFactory,
    ProjectFactory,
    UserFactory,
)
from tests.reports.html import rows_of
from tests.reports.html import text_of as _text_of

pytestmark = pytest.mark.django_db

day = datetime.date
SECRET = Classification.NEED_TO_KNOW


def text_of(response) -> str:
    return unescape(_text_of(response))


def page_of(record):
    name = type(record)._meta.model_name
    return reverse(f"reports:{name}-detail", args=[record.pk])


def _records():
    """One of each kind, related to each other."""
    project = ProjectFactory(name="Hanoi Metro Line 2", country="VN")
    mission = MissionFactory(
        title="Minister's visit to Viet Nam",
        start_date=day(2018, 5, 1),
        status=MissionStatus.COMPLETED,
        purpose="Promote the metro",
    )
    minister = PersonFactory(name="Nguyen Van A")
    PostFactory(person=minister, title="Minister of Transport", start_date=day(2016, 1, 1))
    meeting = MeetingFactory(
        mission=mission,
        date=day(2018, 5, 2),
        counterparts=[minister],
        projects=[project],
        topics="Metro financing",
    )
    agreement = AgreementFactory(title="MoC on Railways", projects=[project])
    return mission, meeting, agreement, project


# Who may see them


def test_anonymous_visitors_go_to_the_login_page_and_others_without_rights_get_403(client):
    records = _records()
    for record in records:
        url = page_of(record)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?{urlencode({'next': url}, safe='/')}"
    client.force_login(UserFactory(is_staff=True))
    for record in records:
        assert client.get(page_of(record)).status_code == 403


def test_analysts_read_every_kind_and_an_unknown_id_is_404(analyst_client):
    for record in _records():
        response = analyst_client.get(page_of(record))
        assert response.status_code == 200
        assert str(record) in text_of(response)
    for name in ("mission", "meeting", "agreement", "project"):
        for pk in (999_999, 2**63, 10**30):
            url = reverse(f"reports:{name}-detail", args=[pk])
            assert analyst_client.get(url).status_code == 404


def test_a_level_3_record_is_404_unless_the_reader_is_on_its_access_list(
    analyst_client, analyst_user
):
    mission = MissionFactory(title="Secret visit", classification=SECRET)
    meeting = MeetingFactory(mission=mission)
    project = ProjectFactory(classification=SECRET)
    agreement = AgreementFactory(classification=SECRET)
    for record in (mission, meeting, project, agreement):
        assert analyst_client.get(page_of(record)).status_code == 404
    for record in (mission, project, agreement):
        record.access_users.add(analyst_user)
    for record in (mission, meeting, project, agreement):
        response = analyst_client.get(page_of(record))
        assert response.status_code == 200
        marking = '<p class="classification-marking" role="note">機密性3</p>'
        assert marking in response.content.decode()


# What they show


def test_the_lists_link_each_title_to_its_page(analyst_client):
    mission, meeting, agreement, project = _records()
    for name, record in (
        ("mission", mission),
        ("meeting", meeting),
        ("agreement", agreement),
        ("project", project),
    ):
        html = analyst_client.get(reverse(f"reports:{name}-list")).content.decode()
        assert f'href="{page_of(record)}"' in html, name
    # The meeting's mission too.
    html = analyst_client.get(reverse("reports:meeting-list")).content.decode()
    assert f'href="{page_of(mission)}"' in html


def test_a_page_shows_the_records_relations_each_linking_to_its_own_page(analyst_client):
    mission, meeting, agreement, project = _records()

    response = analyst_client.get(page_of(mission))
    text = text_of(response)
    html = response.content.decode()
    assert "Promote the metro" in text
    assert "Nguyen Van A — Minister of Transport" in text  # the post held that day
    assert f'href="{page_of(meeting)}"' in html
    assert f'href="{page_of(project)}"' in html

    html = analyst_client.get(page_of(meeting)).content.decode()
    assert "Metro financing" in html
    assert f'href="{page_of(mission)}"' in html and f'href="{page_of(project)}"' in html

    html = analyst_client.get(page_of(project)).content.decode()
    assert f'href="{page_of(meeting)}"' in html and f'href="{page_of(agreement)}"' in html

    html = analyst_client.get(page_of(agreement)).content.decode()
    assert f'href="{page_of(project)}"' in html
    assert f'href="{reverse("reports:country-brief", args=["VN"])}"' in html


def test_related_records_the_reader_may_not_see_are_not_named_at_all(analyst_client):
    secret = ProjectFactory(name="Undisclosed Port Deal", classification=SECRET)
    AgreementFactory(title="Undisclosed MoC", classification=SECRET, signed_at_meeting=None)
    meeting = MeetingFactory(projects=[secret])
    open_agreement = AgreementFactory(title="Open MoC", projects=[secret])
    FollowUpFactory(target=meeting, title="Visible follow-up")
    hidden_followup = FollowUpFactory(target=meeting, title="Hidden follow-up")
    hidden_followup.classification = SECRET
    hidden_followup.save()
    pages = [page_of(meeting), page_of(meeting.mission), page_of(open_agreement)]
    for url in pages:
        text = text_of(analyst_client.get(url))
        assert "Undisclosed" not in text, url
        assert "Hidden follow-up" not in text
    assert "Visible follow-up" in text_of(analyst_client.get(page_of(meeting)))


def test_the_page_carries_the_marking_of_the_most_restricted_record_it_shows(
    analyst_client, analyst_user
):
    public = ProjectFactory(classification=Classification.PUBLIC)
    response = analyst_client.get(page_of(public))
    assert 'class="classification-marking"' not in response.content.decode()
    MeetingFactory(projects=[public])  # level 2 by default
    response = analyst_client.get(page_of(public))
    assert '<p class="classification-marking" role="note">機密性2</p>' in (
        response.content.decode()
    )


def test_follow_ups_hang_on_the_record(analyst_client):
    mission, meeting, agreement, project = _records()
    FollowUpFactory(target=agreement, title="Send the draft", due_on=day(2018, 6, 1))
    FollowUpFactory(target=project, title="Other record's follow-up")
    text = text_of(analyst_client.get(page_of(agreement)))
    assert "Send the draft" in text and "期限超過" in text
    assert "Other record's follow-up" not in text


def test_the_history_says_who_changed_what_and_when(analyst_client):
    editor = UserFactory(username="tanaka", first_name="Taro", last_name="Tanaka")
    org = OrganizationFactory(name="Japan Railway Consultants")
    mission = MissionFactory(title="Minister's visit", status=MissionStatus.PLANNED)
    mission.status = MissionStatus.COMPLETED
    mission._history_user = editor
    mission._change_reason = "Back from the trip"
    mission.save()
    mission.delegation.add(org)
    response = analyst_client.get(page_of(mission))
    text = text_of(response).split("変更内容", 1)[1]
    assert "Taro Tanaka" in text
    assert "Back from the trip" in text
    assert "Japan Railway Consultants" in text
    history = response.context["history"]
    kinds = [version.kind for version in history.versions]
    assert kinds[-1] == "作成" and kinds[0] == "変更"
    status_change = next(
        change
        for version in history.versions
        for change in version.changes
        if change.label == "状況"
    )
    assert (status_change.old, status_change.new) == (
        str(MissionStatus.PLANNED.label),
        str(MissionStatus.COMPLETED.label),
    )


def test_the_history_names_no_record_the_reader_may_not_see(analyst_client):
    secret = ProjectFactory(name="Undisclosed Port Deal", classification=SECRET)
    gone = ProjectFactory(name="Cancelled Bridge")
    meeting = MeetingFactory()
    meeting.projects.add(secret, gone)
    meeting.projects.remove(gone)
    gone.delete()
    text = text_of(analyst_client.get(page_of(meeting)))
    assert "Undisclosed" not in text
    assert "閲覧できない記録" in text
    assert "Cancelled Bridge（削除済み）" in text


def test_a_page_runs_a_fixed_number_of_queries_whatever_its_relations_and_history(
    analyst_client, django_assert_num_queries
):
    def grow(mission, meeting, agreement, project, times):
        for offset in range(times):
            person = PersonFactory()
            PostFactory(person=person)
            other = ProjectFactory()
            extra = MeetingFactory(
                mission=mission, counterparts=[person], projects=[other, project]
            )
            meeting.projects.add(other)
            meeting.counterparts.add(person)
            agreement.projects.add(other)
            AgreementFactory(signed_at_meeting=None, projects=[project])
            FollowUpFactory(target=meeting)
            FollowUpFactory(target=mission)
            mission.delegation.add(OrganizationFactory())
            mission.summary = f"version {offset}"
            mission.save()
            project.description = f"version {offset}"
            project.save()
            del extra

    records = _records()
    grow(*records, 2)
    counts = {}
    for record in records:
        analyst_client.get(page_of(record))  # caches warm
        with CaptureQueriesContext(connection) as queries:
            analyst_client.get(page_of(record))
        counts[type(record)] = len(queries)
    grow(*records, 12)
    for record in records:
        with django_assert_num_queries(counts[type(record)]):
            assert analyst_client.get(page_of(record)).status_code == 200


# The read audit


def test_reading_a_level_2_record_is_audited_once_on_the_page_channel(analyst_client):
    meeting = MeetingFactory()
    FollowUpFactory(target=meeting)
    before = ReadEvent.objects.count()
    analyst_client.get(page_of(meeting))
    events = list(ReadEvent.objects.order_by("-id")[: ReadEvent.objects.count() - before])
    assert len(events) == 1
    event = events[0]
    assert event.channel == "page"
    assert event.object_id == meeting.pk
    assert event.content_type.model == "meeting"
    assert event.classification == Classification.INTERNAL

    public = ProjectFactory(classification=Classification.PUBLIC)
    before = ReadEvent.objects.count()
    analyst_client.get(page_of(public))
    assert ReadEvent.objects.count() == before


def test_a_refused_read_is_not_audited(analyst_client):
    secret = ProjectFactory(classification=SECRET)
    before = ReadEvent.objects.count()
    assert analyst_client.get(page_of(secret)).status_code == 404
    assert ReadEvent.objects.count() == before


# Links from elsewhere


def test_the_country_brief_and_the_search_link_to_the_pages(analyst_client):
    mission, meeting, agreement, project = _records()
    FollowUpFactory(target=agreement, title="Brief follow-up", status=FollowUpStatus.OPEN)
    html = analyst_client.get(reverse("reports:country-brief", args=["VN"])).content.decode()
    for record in (mission, meeting, agreement, project):
        assert f'href="{page_of(record)}"' in html, record
    html = analyst_client.get(reverse("search:search"), {"q": "Hanoi Metro"}).content.decode()
    assert f'href="{page_of(project)}"' in html
    assert "/admin/" not in html.split("<main>", 1)[1]


def test_an_analyst_without_the_missions_right_sees_no_link_to_a_mission(client):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=ANALYST))
    analyst = Group.objects.get(name=ANALYST)
    reader = UserFactory()
    reader.user_permissions.set(
        analyst.permissions.exclude(codename="view_mission", content_type__app_label="missions")
    )
    mission, meeting, _agreement, _project = _records()
    client.force_login(reader)
    html = client.get(page_of(meeting)).content.decode()
    assert f'href="{page_of(mission)}"' not in html
    assert escape(str(mission)) in html
    assert client.get(page_of(mission)).status_code == 403


# Language and print


def test_the_pages_show_no_english_label_of_ours_in_japanese(analyst_client):
    # Records named in Japanese: only the interface's own words are looked for.
    project = ProjectFactory(name="ハノイ都市鉄道2号線", country="VN", estimated_cost_jpy=10**11)
    mission = MissionFactory(title="大臣ベトナム訪問", leader=PersonFactory(name="国土太郎"))
    meeting = MeetingFactory(
        mission=mission,
        principal=mission.leader,
        counterparts=[PersonFactory(name="グエン・ヴァン・ア")],
        projects=[project],
        venue_city="ハノイ",
    )
    agreement = AgreementFactory(title="鉄道協力覚書", projects=[project])
    FollowUpFactory(target=meeting, title="資料送付", assignee=UserFactory(username="suzuki"))
    for record in (mission, meeting, agreement, project):
        record.save()  # a change in the history
        text = _visible_text(analyst_client.get(page_of(record)).content.decode())
        leaked = sorted(label for label in _english_labels_of_ours() if f" {label} " in f" {text} ")
        assert leaked == [], type(record)


def test_the_page_prints_without_navigation_and_leaves_a_place_for_notes(analyst_client):
    mission = MissionFactory()
    html = analyst_client.get(page_of(mission)).content.decode()
    assert 'data-testid="as-of"' in html and 'class="print-only' in html
    assert 'class="no-print record-links"' in html
    template = Path(__file__).parents[2] / "reports/templates/reports/records/base.html"
    assert "{% block notes %}" in template.read_text(encoding="utf-8")


def test_list_rows_still_read_the_same(analyst_client):
    mission, *_rest = _records()
    rows = rows_of(analyst_client.get(reverse("reports:mission-list")))
    assert any(str(mission) in unescape(row) for row in rows)
