"""The API's output is pinned: the compiled read path (core.api.representation), the
page's relations read as rows (core.prefetch) and the orjson renderer print exactly
what DRF's own serializer loop, Django's prefetch_related and DRF's JSON renderer print."""

import datetime
import json

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from core.api.renderers import ORJSONRenderer
from core.api.serializers import RecordSerializer
from core.api.views import RecordViewSet
from tests import factories

BASE = "http://testserver/api/v1"


@pytest.fixture
def api(data_entry_user):
    client = APIClient()
    client.force_authenticate(data_entry_user)
    return client


def _iso(moment):
    return serializers.DateTimeField().to_representation(moment)


@pytest.fixture
def records(db):
    ministry = factories.OrganizationFactory(name="Ministry of Transport", country="VN")
    minister = factories.PersonFactory(name="Nguyen Van A", name_ja="グエン・ヴァン・A")
    factories.PostFactory(
        person=minister,
        organization=ministry,
        title="Minister of Transport",
        title_ja="運輸大臣",
        start_date=datetime.date(2016, 4, 1),
    )
    leader = factories.PersonFactory(name="Sato Hiroshi", name_ja="佐藤博")
    project = factories.ProjectFactory(
        name="Hanoi Metro Line 2",
        name_ja="ハノイ都市鉄道2号線",
        country="VN",
        other_countries=["LA"],
        estimated_cost_jpy=150_000_000_000,
        owner=ministry,
    )
    company = factories.JapaneseCompanyFactory(name="Nippon Rail", name_ja="日本鉄道")
    factories.ProjectParticipantFactory(project=project, organization=company, role="consultant")
    mission = factories.MissionFactory(
        title="Minister's visit to Viet Nam",
        title_ja="ベトナム訪問",
        leader=leader,
        start_date=datetime.date(2018, 5, 1),
        status="completed",
    )
    meeting = factories.MeetingFactory(
        mission=mission,
        date=datetime.date(2018, 5, 2),
        counterpart_country="VN",
        venue_city="Hanoi",
        venue_country="VN",
        topics="Urban railways",
        outcome="Agreed to a working group.",
        counterparts=[minister],
        counterpart_organizations=[ministry],
        projects=[project],
    )
    factories.AgreementFactory(counterpart_country="TH")
    factories.FollowUpFactory(target=meeting)
    factories.WatchListEntryFactory(project=project)
    return {"meeting": meeting, "project": project, "ministry": ministry, "minister": minister}


def test_one_meeting_as_the_api_prints_it(api, records):
    meeting, minister, ministry = records["meeting"], records["minister"], records["ministry"]
    project, mission = records["project"], meeting.mission
    body = api.get(f"/api/v1/meetings/{meeting.pk}/").json()
    person = {
        "id": minister.pk,
        "url": f"{BASE}/people/{minister.pk}/",
        "display": "グエン・ヴァン・A",
    }
    assert body == {
        "id": meeting.pk,
        "url": f"{BASE}/meetings/{meeting.pk}/",
        "mission": {
            "id": mission.pk,
            "url": f"{BASE}/missions/{mission.pk}/",
            "display": "ベトナム訪問",
        },
        "date": "2018-05-02",
        "principal": {
            "id": mission.leader_id,
            "url": f"{BASE}/people/{mission.leader_id}/",
            "display": "佐藤博",
        },
        "principal_rank": "minister",
        "principal_rank_label": "大臣",
        "counterpart_country": "VN",
        "counterpart_country_name": "ベトナム",
        "counterpart_country_region": "southeast_asia",
        "counterpart_country_region_label": "東南アジア",
        "venue_city": "Hanoi",
        "venue_country": "VN",
        "venue_country_name": "ベトナム",
        "venue_country_region": "southeast_asia",
        "venue_country_region_label": "東南アジア",
        "counterparts": [person],
        "counterpart_posts": [
            {
                "person": person,
                "title": "運輸大臣",
                "organization": {
                    "id": ministry.pk,
                    "url": f"{BASE}/organizations/{ministry.pk}/",
                    "display": "Ministry of Transport",
                },
            }
        ],
        "counterpart_organizations": [
            {
                "id": ministry.pk,
                "url": f"{BASE}/organizations/{ministry.pk}/",
                "display": "Ministry of Transport",
            }
        ],
        "topics": "Urban railways",
        "projects": [
            {
                "id": project.pk,
                "url": f"{BASE}/projects/{project.pk}/",
                "display": "ハノイ都市鉄道2号線",
            }
        ],
        "outcome": "Agreed to a working group.",
        "tags": [],
        "classification": 2,
        "classification_label": "機密性2",
        "access_users": [],
        "access_groups": [],
        "created_at": _iso(meeting.created_at),
        "updated_at": _iso(meeting.updated_at),
    }
    assert body["created_at"].endswith("+09:00")  # Japan's time, as DRF prints it


def test_one_project_as_the_api_prints_it(api, records):
    project, ministry = records["project"], records["ministry"]
    participation = project.participations.get()
    entry = project.watch_list_entries.get()
    body = api.get(f"/api/v1/projects/{project.pk}/").json()
    assert body == {
        "id": project.pk,
        "url": f"{BASE}/projects/{project.pk}/",
        "name": "Hanoi Metro Line 2",
        "name_ja": "ハノイ都市鉄道2号線",
        "country": "VN",
        "country_name": "ベトナム",
        "country_region": "southeast_asia",
        "country_region_label": "東南アジア",
        "other_countries": ["LA"],
        "other_countries_names": ["ラオス"],
        "other_countries_regions": ["southeast_asia"],
        "other_countries_regions_labels": ["東南アジア"],
        "sector": "railway",
        "sector_label": "鉄道",
        "stage": "feasibility_study",
        "stage_label": "F/S",
        "status": "active",
        "status_label": "推進中",
        "scheme": "",
        "scheme_label": "",
        "description": "",
        "estimated_cost_jpy": 150_000_000_000,
        "owner": {
            "id": ministry.pk,
            "url": f"{BASE}/organizations/{ministry.pk}/",
            "display": "Ministry of Transport",
        },
        "participants": [
            {
                "organization": {
                    "id": participation.organization_id,
                    "url": f"{BASE}/organizations/{participation.organization_id}/",
                    "display": "日本鉄道",
                },
                "role": "consultant",
                "role_label": "コンサルタント",
            }
        ],
        "tender_due_on": None,
        "awarded_on": None,
        "awarded_to": None,
        "watch_list_entries": [
            {
                "id": entry.pk,
                "url": f"{BASE}/watch-list-entries/{entry.pk}/",
                "display": str(entry.watch_list),
            }
        ],
        "tags": [],
        "classification": 2,
        "classification_label": "機密性2",
        "access_users": [],
        "access_groups": [],
        "created_at": _iso(project.created_at),
        "updated_at": _iso(project.updated_at),
    }


LISTS = [
    "/api/v1/meetings/",
    "/api/v1/missions/",
    "/api/v1/projects/",
    "/api/v1/project-participants/",
    "/api/v1/watch-lists/",
    "/api/v1/watch-list-entries/",
    "/api/v1/agreements/",
    "/api/v1/follow-ups/",
    "/api/v1/organizations/",
    "/api/v1/people/",
    "/api/v1/posts/",
]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_fast_path_prints_the_same_bytes_as_drf(api, records, monkeypatch, language):
    def bodies():
        return {url: api.get(url, HTTP_ACCEPT_LANGUAGE=language).content for url in LISTS} | {
            f"{url}{records[kind].pk}/": api.get(
                f"{url}{records[kind].pk}/", HTTP_ACCEPT_LANGUAGE=language
            ).content
            for url, kind in [("/api/v1/meetings/", "meeting"), ("/api/v1/projects/", "project")]
        }

    assert RecordViewSet.renderer_classes[0] is ORJSONRenderer
    fast = bodies()
    # DRF's own loop over the fields, DRF's own JSON renderer, and Django's own
    # prefetch_related instead of core.prefetch.
    monkeypatch.setattr("core.prefetch.split_lookups", lambda model, lookups: ([], lookups))
    monkeypatch.setattr(
        RecordSerializer, "to_representation", serializers.ModelSerializer.to_representation
    )
    monkeypatch.setattr(
        RecordViewSet, "renderer_classes", (JSONRenderer, *RecordViewSet.renderer_classes[1:])
    )
    slow = bodies()
    for url in fast:
        assert fast[url] == slow[url], url
        assert b'"results":[]' not in fast[url], url


def test_renderer_matches_drf_on_awkward_values():
    now = timezone.now()
    data = {
        "text": "改行\u2028と段落\u2029",
        "when": now,
        "day": now.date(),
        "amount": 1.5,
        "big": 2**62,
        "none": None,
        "lazy": factories.ProjectFactory._meta.model._meta.verbose_name,
    }
    assert ORJSONRenderer().render(data) == JSONRenderer().render(data)


def test_renderer_writes_a_lone_surrogate_as_json_escapes_it():
    """An error message may quote what was sent, a lone surrogate included (JSON can
    carry "\\ud800", UTF-8 cannot): still JSON, never a server error."""
    data = {"sectors": ['"\ud800" is not a valid choice.'], "title": ["東京"]}
    rendered = ORJSONRenderer().render(data)
    assert json.loads(rendered) == data
    assert rendered.isascii()
