"""The mission form as staff fill it (issue 17, item 3): the Japanese title first (either
title may be left blank, not both), the leader's rank from the leader's post, the rule of
top sales said on the page, the meetings in itinerary order, and the counterparts' posts
of the day as soon as they are chosen."""

import datetime

import pytest
from django.urls import reverse

from missions.choices import LeaderRank
from missions.models import Mission
from missions.services import leader_rank_on, rank_of_post
from tests import factories
from tests.admin_pages import mission_form, posted_back

ADD_URL = reverse("admin:missions_mission_add")
POSTS_URL = reverse("admin:missions_meeting_counterpart_posts")


def _errors(response):
    form = response.context["adminform"].form
    return {name: [str(message) for message in messages] for name, messages in form.errors.items()}


@pytest.mark.django_db
def test_a_mission_titled_in_japanese_only_is_saved(data_entry_client):
    form = mission_form(factories.PersonFactory(), [], title="", title_ja="大臣のガーナ訪問")

    response = data_entry_client.post(ADD_URL, form)

    assert response.status_code == 302, _errors(response)
    assert str(Mission.objects.get()) == "大臣のガーナ訪問"


@pytest.mark.django_db
def test_a_mission_titled_in_english_only_is_saved_through_the_api(api):
    leader = factories.PersonFactory()
    response = api.post(
        "/api/v1/missions/",
        {
            "title": "Minister's visit to Ghana",
            "leader": leader.pk,
            "leader_rank": LeaderRank.MINISTER,
            "kind": "overseas_visit",
            "start_date": "2019-08-28",
            "end_date": "2019-08-30",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Mission.objects.get().title_ja == ""


@pytest.mark.django_db
def test_a_mission_without_any_title_is_refused_everywhere(data_entry_client, api):
    leader = factories.PersonFactory()
    response = data_entry_client.post(ADD_URL, mission_form(leader, [], title="", title_ja=""))
    assert response.status_code == 200
    assert "ミッションの名称を日本語か英語（又は両方）で入力してください。" in str(
        response.context["errors"]
    )

    refused = api.post(
        "/api/v1/missions/",
        {
            "title": "",
            "title_ja": "",
            "leader": leader.pk,
            "leader_rank": LeaderRank.MINISTER,
            "kind": "overseas_visit",
            "start_date": "2019-08-28",
            "end_date": "2019-08-30",
        },
        format="json",
    )
    assert refused.status_code == 400
    assert not Mission.objects.exists()


@pytest.mark.parametrize(
    ("title_ja", "title", "rank"),
    [
        ("国土交通大臣", "", LeaderRank.MINISTER),
        ("国土交通副大臣（デモ）", "", LeaderRank.STATE_MINISTER),
        ("国土交通大臣政務官", "", LeaderRank.PARLIAMENTARY_VICE_MINISTER),
        ("", "Minister of Land, Infrastructure, Transport and Tourism", LeaderRank.MINISTER),
        ("", "State Minister of Land, Infrastructure", LeaderRank.STATE_MINISTER),
        ("", "Parliamentary Vice-Minister", LeaderRank.PARLIAMENTARY_VICE_MINISTER),
        ("大臣官房長", "", None),  # a senior official: not guessed
        ("", "Vice-Minister for International Affairs", None),
    ],
)
def test_the_rank_a_post_names(title_ja, title, rank):
    post = factories.PostFactory.build(title=title, title_ja=title_ja)
    assert rank_of_post(post) == rank


@pytest.mark.django_db
def test_the_leaders_rank_left_blank_is_that_of_the_post_held_on_the_start_date(
    data_entry_client,
):
    leader = factories.PersonFactory()
    factories.PostFactory(
        person=leader,
        title="State Minister",
        title_ja="国土交通副大臣",
        start_date=datetime.date(2017, 1, 1),
        end_date=datetime.date(2018, 4, 30),
    )
    factories.PostFactory(
        person=leader,
        title="Minister",
        title_ja="国土交通大臣",
        start_date=datetime.date(2018, 5, 1),
    )
    assert leader_rank_on(leader, datetime.date(2018, 4, 30)) == LeaderRank.STATE_MINISTER

    response = data_entry_client.post(ADD_URL, mission_form(leader, [], leader_rank=""))

    assert response.status_code == 302, _errors(response)
    assert Mission.objects.get().leader_rank == LeaderRank.MINISTER  # on 2018-05-01


@pytest.mark.django_db
def test_a_blank_rank_no_post_says_is_refused_with_the_reason(data_entry_client):
    leader = factories.PersonFactory(name="Tanaka Taro")

    response = data_entry_client.post(ADD_URL, mission_form(leader, [], leader_rank=""))

    assert response.status_code == 200
    assert "Tanaka Taro" in _errors(response)["leader_rank"][0]
    assert not Mission.objects.exists()


@pytest.mark.django_db
def test_the_form_puts_the_japanese_title_first_and_says_what_counts_as_top_sales(
    data_entry_client,
):
    page = data_entry_client.get(ADD_URL)
    text = page.text
    assert text.index('name="title_ja"') < text.index('name="title"')
    assert "wide-text" in text
    assert "大臣、副大臣又は大臣政務官" in text


@pytest.mark.django_db
def test_the_meetings_are_in_itinerary_order_with_no_empty_one_after_saving(data_entry_client):
    mission = factories.MissionFactory(start_date=datetime.date(2018, 5, 1))
    later = factories.MeetingFactory(mission=mission, date=datetime.date(2018, 5, 3))
    first = factories.MeetingFactory(mission=mission, date=datetime.date(2018, 5, 1))

    page = data_entry_client.get(reverse("admin:missions_mission_change", args=[mission.pk]))

    meetings = next(
        inline.formset
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.prefix == "meetings"
    )
    assert [form.instance for form in meetings.forms] == [first, later]
    # Saved as it is, the page posts back no empty meeting.
    assert posted_back(page)["meetings-TOTAL_FORMS"] == 2
    # A new mission starts with one meeting to fill.
    add = data_entry_client.get(ADD_URL)
    assert add.context["inline_admin_formsets"][0].formset.total_form_count() == 1


@pytest.mark.django_db
def test_the_counterparts_posts_of_the_day_before_saving(data_entry_client):
    minister = factories.PersonFactory(name="Kwasi Amoako-Atta")
    ministry = factories.OrganizationFactory(name="Ministry of Roads and Highways", country="GH")
    factories.PostFactory(
        person=minister,
        organization=ministry,
        title="Minister of Roads and Highways",
        start_date=datetime.date(2017, 1, 1),
        end_date=datetime.date(2020, 12, 31),
    )
    nobody = factories.PersonFactory(name="Ama Mensah")

    answer = data_entry_client.get(
        POSTS_URL, {"person": [minister.pk, nobody.pk], "date": "令和元年8月29日"}
    ).json()
    assert answer["lines"] == [
        "Kwasi Amoako-Atta — Minister of Roads and Highways, Ministry of Roads and Highways",
        "Ama Mensah",
    ]
    # Another day, another post (none after 2020).
    later = data_entry_client.get(POSTS_URL, {"person": minister.pk, "date": "2021/1/1"}).json()
    assert later["lines"] == ["Kwasi Amoako-Atta"]
    # A date not read yet: nothing to show.
    assert data_entry_client.get(POSTS_URL, {"person": minister.pk, "date": "2019/8"}).json() == {
        "lines": []
    }


@pytest.mark.django_db
def test_the_counterparts_posts_need_the_right_to_view_people(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(POSTS_URL, {"date": "2019/8/29"}).status_code == 403
