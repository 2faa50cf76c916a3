"""What every resource shares: who may do what, tokens, lost updates, pagination,
exports, languages and the schema. Exercised on missions, the first resource."""

import datetime
import json

import pytest
import yaml
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import APIToken
from accounts.roles import ANALYST, DATA_ENTRY
from contacts.api.serializers import OrganizationSerializer
from contacts.models import Organization
from core.api.throttling import TokenRateThrottle, UserRateThrottle
from core.sectors import SectorCode
from missions.models import Mission
from tests import factories
from tests.api import assert_bad_parameter, client_for, csv_rows, new_mission, xlsx_rows

# No Accept-Language: the API answers in the site's language, Japanese.
pytestmark = pytest.mark.api_language(None)

LIST = "/api/v1/missions/"


def detail(mission):
    return f"{LIST}{mission.pk}/"


def token_for(group, *, can_write, expires_at=None, revoked_at=None):
    user = factories.UserFactory()
    if group:
        user.groups.add(Group.objects.get(name=group))
    token = APIToken(
        name="tool", user=user, can_write=can_write, expires_at=expires_at, revoked_at=revoked_at
    )
    key = token.issue_key()
    token.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client, token


# -- who may do what ------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_gets_401():
    response = APIClient().get(LIST)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
def test_permission_matrix():
    leader = factories.PersonFactory()
    now = timezone.now()
    cases = {
        # who: (can read, can write)
        "read-write token, data entry": (token_for(DATA_ENTRY, can_write=True)[0], 200, 201),
        "read-only token, data entry": (token_for(DATA_ENTRY, can_write=False)[0], 200, 403),
        "read-write token, analyst": (token_for(ANALYST, can_write=True)[0], 200, 403),
        "token of a user without a role": (token_for(None, can_write=True)[0], 403, 403),
        "expired token": (
            token_for(DATA_ENTRY, can_write=True, expires_at=now - datetime.timedelta(minutes=1))[
                0
            ],
            401,
            401,
        ),
        "revoked token": (token_for(DATA_ENTRY, can_write=True, revoked_at=now)[0], 401, 401),
    }
    for who, (client, read_status, write_status) in cases.items():
        assert client.get(LIST).status_code == read_status, who
        assert client.post(LIST, new_mission(leader), format="json").status_code == write_status, (
            who
        )
    # Exactly the one allowed write happened.
    assert Mission.objects.count() == 1


@pytest.mark.django_db
def test_session_users_by_role(client, analyst_user, data_entry_user):
    leader = factories.PersonFactory()
    client.force_login(analyst_user)
    assert client.get(LIST).status_code == 200
    assert (
        client.post(LIST, new_mission(leader), content_type="application/json").status_code == 403
    )
    client.force_login(data_entry_user)
    response = client.post(LIST, new_mission(leader), content_type="application/json")
    # Session writes need the CSRF token like any form: the test client skips the check.
    assert response.status_code == 201


@pytest.mark.django_db
def test_session_write_without_csrf_token_is_refused(data_entry_user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(data_entry_user)
    response = client.post(LIST, new_mission(factories.PersonFactory()), format="json")
    assert response.status_code == 403
    assert Mission.objects.count() == 0


@pytest.mark.django_db
def test_token_records_its_last_use():
    client, token = token_for(DATA_ENTRY, can_write=False)
    assert token.last_used_at is None
    client.get(LIST)
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.django_db
def test_token_key_is_stored_hashed_and_shown_once_in_the_admin(client, administrator_user):
    user = factories.UserFactory()
    client.force_login(administrator_user)
    response = client.post(
        reverse("admin:accounts_apitoken_add"),
        {
            "name": "statistics portal",
            "user": user.pk,
            "can_write": "",
            "expires_at_0": "",
            "expires_at_1": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    token = APIToken.objects.get(name="statistics portal")
    shown = next(str(m) for m in response.context["messages"] if token.prefix in str(m))
    key = next(word for word in shown.split() if word.startswith(token.prefix))
    assert token.key_hash == APIToken.hash_key(key) and key not in token.key_hash
    # The change page never shows the key again.
    page = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    assert key not in page.content.decode()


@pytest.mark.django_db
def test_requests_are_throttled_per_token(monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "3/min", "user": "100/min"})
    client, _token = token_for(ANALYST, can_write=False)
    statuses = [client.get(LIST).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # Another token has its own budget.
    other, _ = token_for(ANALYST, can_write=False)
    assert other.get(LIST).status_code == 200


@pytest.mark.django_db
def test_requests_are_throttled_per_user(monkeypatch, analyst_user):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/min"})
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "100/min"})
    person = client_for(analyst_user)
    statuses = [person.get(LIST).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # Another person has their own budget, and so has a token, even of the same person.
    assert client_for(other_analyst()).get(LIST).status_code == 200
    token = APIToken(name="own", user=analyst_user, can_write=False)
    key = token.issue_key()
    token.save()
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get(LIST).status_code == 200


def other_analyst():
    user = factories.UserFactory(username="other-analyst")
    user.groups.add(Group.objects.get(name=ANALYST))
    return user


@pytest.mark.django_db
def test_revoking_tokens_in_the_admin_shuts_them_out(client, administrator_user):
    first, first_token = token_for(ANALYST, can_write=False)
    second, second_token = token_for(ANALYST, can_write=True)
    kept, kept_token = token_for(ANALYST, can_write=False)
    revoked_before = timezone.now() - datetime.timedelta(days=3)
    old, old_token = token_for(ANALYST, can_write=False, revoked_at=revoked_before)
    assert first.get(LIST).status_code == 200
    client.force_login(administrator_user)
    response = client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {
            "action": "revoke",
            "_selected_action": [first_token.pk, second_token.pk, old_token.pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    # "2 tokens revoked.", in the admin's language: the one revoked before is not counted.
    assert [str(m) for m in response.context["messages"]] == ["2件のトークンを無効にしました。"]
    for token in (first_token, second_token, old_token, kept_token):
        token.refresh_from_db()
    assert first_token.revoked_at and second_token.revoked_at
    assert old_token.revoked_at == revoked_before  # already revoked: left as it was
    assert kept_token.revoked_at is None
    assert first.get(LIST).status_code == 401
    assert second.get(LIST).status_code == 401
    assert kept.get(LIST).status_code == 200


# -- lost updates ---------------------------------------------------------------------


@pytest.mark.django_db
def test_stale_if_match_gets_412_and_changes_nothing(api):
    mission = factories.MissionFactory(title="Original")
    etag = api.get(detail(mission))["ETag"]

    first = api.patch(detail(mission), {"title": "First edit"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    assert first["ETag"] != etag

    stale = api.patch(detail(mission), {"title": "Second edit"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    mission.refresh_from_db()
    assert mission.title == "First edit"

    fresh = api.put(
        detail(mission),
        {**new_mission(mission.leader), "title": "Third edit"},
        format="json",
        HTTP_IF_MATCH=first["ETag"],
    )
    assert fresh.status_code == 200


@pytest.mark.django_db
def test_stale_if_match_on_put_gets_412_and_changes_nothing(api):
    mission = factories.MissionFactory(title="Original", status="planned")
    stale = api.get(detail(mission))["ETag"]
    assert (
        api.patch(detail(mission), {"summary": "Read by someone else"}, format="json").status_code
        == 200
    )
    response = api.put(
        detail(mission),
        {**new_mission(mission.leader), "title": "Overwritten", "status": "completed"},
        format="json",
        HTTP_IF_MATCH=stale,
    )
    assert response.status_code == 412
    mission.refresh_from_db()
    assert (mission.title, mission.status, mission.summary) == (
        "Original",
        "planned",
        "Read by someone else",
    )


@pytest.mark.django_db
def test_a_unique_rule_raced_past_validation_is_a_409_not_a_500(api, monkeypatch):
    """Two clients create the same organisation at once: both pass full_clean(), the
    database refuses the second (organization_unique_name_key_country)."""
    factories.OrganizationFactory(name="Ghana Ports Authority", country="GH")
    # The other client's row was committed between this one's check and its insert.
    monkeypatch.setattr(Organization, "validate_constraints", lambda self, exclude=None: None)
    monkeypatch.setattr(OrganizationSerializer, "get_validators", lambda self: [])
    response = api.post(
        "/api/v1/organizations/",
        # Past the warning about a likely duplicate too, as a client that confirms.
        {
            "name": "Ghana Ports Authority",
            "kind": "foreign_government",
            "country": "GH",
            "confirm_new": True,
        },
        format="json",
    )
    assert response.status_code == 409, response.content
    assert "detail" in response.json()
    assert Organization.objects.filter(name="Ghana Ports Authority").count() == 1


@pytest.mark.django_db
def test_stale_if_match_on_delete_gets_412(api):
    mission = factories.MissionFactory()
    response = api.delete(detail(mission), HTTP_IF_MATCH='"0-0"')
    assert response.status_code == 412
    assert Mission.objects.filter(pk=mission.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "stamp", ["99999999999999999999999999999999", "999999999999999999", "9" * 5000, "²", "-1"]
)
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_malformed_if_match_cannot_match_and_is_a_412(api, method, stamp):
    """Out of Python's dates, out of int()'s digits, not ASCII: never a 500."""
    mission = factories.MissionFactory(title="Original")
    response = getattr(api, method)(
        detail(mission),
        {**new_mission(mission.leader), "title": "Changed"},
        format="json",
        HTTP_IF_MATCH=f'"{mission.pk}-{stamp}"',
    )
    assert response.status_code == 412, response.content
    mission.refresh_from_db()
    assert mission.title == "Original"


@pytest.mark.django_db
def test_a_created_record_carries_its_etag(api):
    response = api.post(LIST, new_mission(factories.PersonFactory()), format="json")
    assert response.status_code == 201
    mission = Mission.objects.get(pk=response.json()["id"])
    assert response["ETag"] == f'"{mission.version}"'
    # It is the ETag a write can claim.
    changed = api.patch(
        detail(mission), {"title": "Changed"}, format="json", HTTP_IF_MATCH=response["ETag"]
    )
    assert changed.status_code == 200


# -- pagination -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("size", ["0", "-1", "1001", "1000000000", "abc", "1\x00"])
def test_page_size_out_of_range_is_a_400_naming_it(api, size):
    assert_bad_parameter(api, LIST, {"page_size": size}, "page_size")


@pytest.mark.django_db
def test_page_size_and_page(api):
    factories.MissionFactory.create_batch(5)
    response = api.get(LIST, {"page_size": 2, "page": 3}).json()
    assert response["count"] == 5
    assert len(response["results"]) == 1
    assert api.get(LIST, {"page": "x"}).status_code == 400
    assert api.get(LIST, {"page": 99}).status_code == 404


@pytest.mark.django_db
def test_cursor_pages_walk_every_record_once_in_sync_order(api):
    missions = factories.MissionFactory.create_batch(7)
    # Touch one: it must come last, having changed most recently.
    missions[0].title = "touched"
    missions[0].save()
    seen, url = [], f"{LIST}?cursor=&page_size=3"
    while url:
        page = api.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert len(seen) == 7 and len(set(seen)) == 7
    assert seen[-1] == missions[0].pk


@pytest.mark.django_db
def test_an_invalid_cursor_is_a_400_naming_it(api):
    factories.MissionFactory()
    assert_bad_parameter(api, LIST, {"cursor": "not-a-cursor"}, "cursor")


@pytest.mark.django_db
def test_a_misspelt_filter_is_refused_not_ignored(api):
    factories.MissionFactory(status="completed")
    factories.MissionFactory(status="planned")
    response = api.get(LIST, {"stauts": "completed"})
    assert response.status_code == 400
    assert list(response.json()) == ["stauts"]
    assert len(api.get(LIST, {"status": "completed"}).json()["results"]) == 1
    # A record's own address takes no filters: it is not checked there.
    mission = Mission.objects.first()
    assert api.get(detail(mission), {"stauts": "x"}).status_code == 200


# -- exports --------------------------------------------------------------------------


@pytest.mark.django_db
def test_csv_export_has_bom_japanese_headers_labels_and_filters(api):
    factories.MissionFactory(title="Completed one", status="completed")
    factories.MissionFactory(title="Planned one", status="planned")
    rows = csv_rows(api.get(LIST, {"format": "csv", "status": "completed"}))
    assert rows[0][:2] == ["名称（英語）", "名称（日本語）"]
    assert len(rows) == 2
    assert rows[1][0] == "Completed one"
    assert "完了" in rows[1]  # the status label, not the code


@pytest.mark.django_db
def test_xlsx_export(api):
    factories.MissionFactory.create_batch(3)
    rows = xlsx_rows(api.get(LIST, {"format": "xlsx"}))
    assert len(rows) == 4
    assert rows[0][0] == "名称（英語）"


@pytest.mark.django_db
def test_export_with_a_bad_filter_answers_json_400(api):
    assert_bad_parameter(api, LIST, {"format": "csv", "status": "nonsense"}, "status")


# -- languages ------------------------------------------------------------------------


@pytest.mark.django_db
def test_labels_follow_accept_language_and_codes_never_change(api):
    mission = factories.MissionFactory(status="completed")
    japanese = api.get(detail(mission)).json()
    english = api.get(detail(mission), HTTP_ACCEPT_LANGUAGE="en").json()
    assert japanese["status"] == english["status"] == "completed"
    assert japanese["status_label"] == "完了"
    assert english["status_label"] == "Completed"


# -- schema ---------------------------------------------------------------------------


def test_schema_generates_without_warnings_and_validates(tmp_path):
    call_command(
        "spectacular",
        "--fail-on-warn",
        "--validate",
        "--lang",
        "en",
        "--file",
        str(tmp_path / "s.yml"),
    )
    paths = yaml.safe_load((tmp_path / "s.yml").read_text())["paths"]
    listing, record = paths["/api/v1/missions/"], paths["/api/v1/missions/{id}/"]

    def parameters(operation, where):
        return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == where}

    # No lost updates: the writes take If-Match and may answer 412; the record has an ETag.
    for method in ("put", "patch", "delete"):
        assert "If-Match" in parameters(record[method], "header"), method
        assert "412" in record[method]["responses"], method
    for operation, status in (
        (record["get"], "200"),
        (record["put"], "200"),
        (record["patch"], "200"),
        (listing["post"], "201"),
    ):
        assert "ETag" in operation["responses"][status]["headers"]
    # Page sizes as the paginator takes them.
    page_size = parameters(listing["get"], "query")["page_size"]["schema"]
    assert (page_size["minimum"], page_size["maximum"]) == (1, 1000)
    # Spreadsheets are offered for lists only.
    assert {"csv", "xlsx"} <= set(parameters(listing["get"], "query")["format"]["schema"]["enum"])
    for method in ("get", "put", "patch", "delete"):
        assert "format" not in parameters(record[method], "query"), method
        for response in record[method]["responses"].values():
            assert "text/csv" not in response.get("content", {}), method
    # Each report takes its list's filters (the period of the meetings' list, a project
    # promoted...), and the watch-list reports an edition; what a list only orders by, no.
    engagements = parameters(paths["/api/v1/reports/engagements/"]["get"], "query")
    assert {"year", "fiscal_year", "date_after", "date_before", "country", "project"} <= set(
        engagements
    )
    assert "ordering" not in engagements
    assert engagements["sector"]["schema"]["items"]["enum"] == sorted(SectorCode.values)
    transition = parameters(paths["/api/v1/reports/watch-list-transition/"]["get"], "query")
    assert transition["edition"]["required"] is True


@pytest.mark.django_db
def test_a_record_is_no_spreadsheet(api):
    mission = factories.MissionFactory()
    response = api.get(detail(mission), {"format": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"format": ["この場所で使える形式を指定してください：api, json。"]}
    assert api.get(detail(mission), HTTP_ACCEPT="text/csv").status_code == 406
    assert api.get(f"{detail(mission)}history/", {"format": "xlsx"}).status_code == 400
    assert api.get(LIST, {"format": "csv"})["Content-Type"].startswith("text/csv")
    unknown = api.get(LIST, {"format": "pdf"})
    assert unknown.status_code == 400
    assert unknown.json() == {
        "format": ["この場所で使える形式を指定してください：api, csv, json, xlsx。"]
    }


@pytest.mark.django_db
def test_schema_and_docs_are_for_signed_in_people_and_tokens_only(client):
    assert client.get("/api/schema/").status_code == 401
    assert client.get("/api/docs/").status_code in (401, 403)


@pytest.mark.django_db
def test_schema_and_docs_are_served_from_local_files(api, client, data_entry_user):
    assert api.get("/api/schema/").status_code == 200
    client.force_login(data_entry_user)
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower() and "https://" not in page


# -- history --------------------------------------------------------------------------


@pytest.mark.django_db
def test_history_says_who_changed_which_field_from_what_to_what(
    api, data_entry_user, analyst_client
):
    meeting = factories.MeetingFactory(topics="Railway")
    minister = factories.PersonFactory()
    url = f"/api/v1/meetings/{meeting.pk}/"
    assert api.patch(url, {"topics": "Port PPP"}, format="json").status_code == 200
    assert api.patch(url, {"counterparts": [minister.pk]}, format="json").status_code == 200

    history = analyst_client.get(f"{url}history/").json()

    assert [entry["type"] for entry in history][-1] == "created"
    topics = next(c for e in history for c in e["changes"] if c["field"] == "topics" and c["old"])
    assert (topics["old"], topics["new"]) == ("Railway", "Port PPP")
    counterparts = next(c for e in history for c in e["changes"] if c["field"] == "counterparts")
    # Related records as the record shows them, not bare ids.
    assert (counterparts["old"], counterparts["new"]) == (
        [],
        [
            {
                "id": minister.pk,
                "url": f"http://testserver/api/v1/people/{minister.pk}/",
                "display": str(minister),
            }
        ],
    )
    changed_by = {e["user"] for e in history if e["type"] == "changed"}
    assert changed_by == {data_entry_user.username}


@pytest.mark.django_db
def test_history_shows_related_records_briefly_even_once_deleted(api):
    """A foreign key's before and after are `{id, url, display}`; a record deleted since
    keeps its id and last name, without a link; one query per related model."""
    first, second = factories.PersonFactory(name="Tanaka"), factories.PersonFactory(name="Sato")
    mission = factories.MissionFactory(leader=first)
    url = f"/api/v1/missions/{mission.pk}/"
    assert api.patch(url, {"leader": second.pk}, format="json").status_code == 200
    first_pk = first.pk
    first.delete()

    history = api.get(f"{url}history/").json()

    leader = [c for e in history for c in e["changes"] if c["field"] == "leader"]
    assert leader == [
        {
            "field": "leader",
            "old": {"id": first_pk, "url": None, "display": "Tanaka"},
            "new": {
                "id": second.pk,
                "url": f"http://testserver/api/v1/people/{second.pk}/",
                "display": "Sato",
            },
        },
        {"field": "leader", "old": None, "new": {"id": first_pk, "url": None, "display": "Tanaka"}},
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("resource", "factory", "field"),
    [
        ("projects", factories.ProjectFactory, "other_countries"),
        ("agreements", factories.AgreementFactory, "target_countries"),
    ],
)
def test_history_shows_a_list_of_countries_as_codes(api, resource, factory, field):
    record = factory(**{field: ["GH", "TN"]})
    url = f"/api/v1/{resource}/{record.pk}/"
    assert api.patch(url, {field: ["KE"]}, format="json").status_code == 200

    response = api.get(f"{url}history/")

    assert response.status_code == 200, response.content[:300]
    changes = [c for e in response.json() for c in e["changes"] if c["field"] == field]
    # Newest first: the change, then the value it was created with.
    assert [(c["old"], c["new"]) for c in changes] == [(["GH", "TN"], ["KE"]), (None, ["GH", "TN"])]


@pytest.mark.django_db
def test_history_values_are_plain_json_for_every_kind_of_field(api):
    """Whatever a history holds (codes, lists of codes, dates, amounts, file names, ids
    of related records, many-to-many rows), the API gives it as plain JSON."""
    from core.api.history import history_entries
    from tests.rules import record_models

    factories.AgreementDocumentFactory()
    factories.FollowUpFactory()
    factories.WatchListEntryFactory()
    factories.ProjectParticipantFactory()
    factories.PostFactory()
    factories.OrderFigureFactory()
    factories.MeetingFactory(counterparts=[factories.PersonFactory()])
    factories.ProjectFactory(other_countries=["GH", "TN"])
    factories.AgreementFactory(target_countries=["KE"], sectors=["road"])
    for model in record_models():
        record = model._default_manager.order_by("pk").last()
        assert record is not None, model
        entries = history_entries(model, record.pk)
        values = [v for e in entries for c in e["changes"] for v in (c["old"], c["new"])]
        assert values, model
        # No `default=`: only what JSON itself carries.
        json.dumps(values)


@pytest.mark.django_db
def test_a_deleted_records_history_says_who_deleted_it(api, data_entry_user, analyst_client):
    mission = factories.MissionFactory(title="Cancelled visit")
    url = f"{detail(mission)}history/"
    assert api.delete(detail(mission)).status_code == 204
    assert api.get(detail(mission)).status_code == 404

    history = analyst_client.get(url)
    assert history.status_code == 200, history.content
    entries = history.json()
    assert [entry["type"] for entry in entries] == ["deleted", "created"]
    assert entries[0]["user"] == data_entry_user.username
    # Reading it still takes the permission to view missions.
    assert APIClient().get(url).status_code == 401
    # An id that never had a record has no history either.
    assert analyst_client.get(f"{LIST}{mission.pk + 1000}/history/").status_code == 404


@pytest.mark.django_db
def test_history_needs_permission_to_view_the_record(client):
    mission = factories.MissionFactory()
    assert APIClient().get(f"{LIST}{mission.pk}/history/").status_code == 401


@pytest.mark.django_db
def test_the_browsable_api_renders_every_resource_with_records(client, administrator_user):
    """People explore the API in a browser: each list and record page, with its forms."""
    meeting = factories.MeetingFactory()
    meeting.counterparts.add(factories.PersonFactory())
    factories.AgreementDocumentFactory()
    factories.FollowUpFactory()
    factories.PostFactory()
    factories.ProjectParticipantFactory()
    factories.WatchListEntryFactory()
    factories.OrderFigureFactory()
    client.force_login(administrator_user)
    root = client.get("/api/v1/", HTTP_ACCEPT="application/json").json()
    for name, url in root.items():
        page = client.get(url, HTTP_ACCEPT="text/html")
        assert page.status_code == 200, name
        first = client.get(url, {"page_size": 1}, HTTP_ACCEPT="application/json").json()
        records = first.get("results", [])
        if records and records[0].get("url"):
            assert client.get(records[0]["url"], HTTP_ACCEPT="text/html").status_code == 200, name
