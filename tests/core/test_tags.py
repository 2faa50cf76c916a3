"""Tags (core.Tag, core.tags): free labels on missions, meetings, agreements, projects and
organisations; names compare as every name does; written in the admin (autocomplete) and
the API; shown and filtered (`?tag=`, several, any or all) in the admin lists, the API
and the analysts' pages; renamed and merged by administrators only; kept in history."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import Agreement
from contacts.models import Organization
from core.classification import Classification
from core.models import Tag
from core.tags import tag_merge, tag_rename, tagged_models, tags_named
from missions.models import Meeting, Mission
from projects.models import Project
from tests import factories
from tests.admin_pages import posted_back
from tests.api import client_for, csv_rows, detail, ids, new_mission

pytestmark = pytest.mark.django_db

SECRET = Classification.NEED_TO_KNOW


def tag(name):
    return tags_named([name])[0]


# -- the model -----------------------------------------------------------------------------


def test_the_five_kinds_of_record_carry_tags():
    assert set(tagged_models()) == {Mission, Meeting, Agreement, Project, Organization}


def test_names_compare_as_names_do():
    port = tag("港湾")
    assert tag("  港湾 ") == port
    ghana = tag("Ghana  Ports")
    assert ghana.name == "Ghana Ports"
    # Full-width letters, another case, an ideographic space: the same tag.
    assert tags_named(["ＧＨＡＮＡ\u3000ports", "ghana ports"]) == [ghana]
    assert tag("ｺｳﾜﾝ").name_key == "コウワン"
    # A line break typed into a name is a space: a tag is one line.
    assert tag("two\nlines").name == "two lines"
    with pytest.raises(ValidationError) as error:
        Tag(name="GHANA PORTS").full_clean()
    assert "name" in error.value.message_dict


@pytest.mark.parametrize("name", ["ports, Ghana", "ports，Ghana", "a" * 101, "\x00", " "])
def test_a_name_a_spreadsheet_could_not_hold_is_refused(name):
    with pytest.raises(ValidationError):
        Tag(name=name).full_clean()


# -- the API -------------------------------------------------------------------------------


def test_tags_are_written_and_read_as_names(api):
    existing = tag("港湾")
    leader = factories.PersonFactory()
    response = api.post(
        "/api/v1/missions/",
        new_mission(leader, tags=["ｺｳﾜﾝ", "港湾", "Ghana ports"]),
        format="json",
    )
    assert response.status_code == 201, response.content
    # In the order of their names (as names compare).
    assert response.json()["tags"] == ["Ghana ports", "ｺｳﾜﾝ", "港湾"]
    mission = Mission.objects.get(pk=response.json()["id"])
    assert existing in mission.tags.all()
    changed = api.patch(
        detail("/api/v1/missions/", mission), {"tags": ["ghana PORTS"]}, format="json"
    )
    assert changed.json()["tags"] == ["Ghana ports"]
    assert Tag.objects.count() == 3  # nothing deleted by being left off a record


@pytest.mark.parametrize(
    "tags", [["ports, Ghana"], [12], [""], ["a" * 101], "港湾", [None], ["bell\x07"]]
)
def test_a_wrong_tag_is_a_400_naming_the_field_and_saves_nothing(api, tags):
    count = Tag.objects.count()
    response = api.post(
        "/api/v1/organizations/",
        {
            "name": "Ghana Ports Authority",
            "country": "GH",
            "kind": "foreign_government",
            "tags": tags,
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "tags" in response.json()
    assert Tag.objects.count() == count
    assert not Organization.objects.filter(name="Ghana Ports Authority").exists()


@pytest.fixture
def tagged(db):
    port, road, ghana = tag("港湾"), tag("道路"), tag("Ghana")
    both = factories.ProjectFactory(name="Tema port road")
    both.tags.set([port, road])
    only_port = factories.ProjectFactory(name="Takoradi port")
    only_port.tags.set([port, ghana])
    factories.ProjectFactory(name="Untagged")
    return {"both": both, "port": only_port}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tag": "港湾"}, {"both", "port"}),
        ({"tag": ["道路", "ghana"]}, {"both", "port"}),
        ({"tag": ["道路", "ghana"], "tag_match": "any"}, {"both", "port"}),
        ({"tag": ["港湾", "道路"], "tag_match": "all"}, {"both"}),
        ({"tag": ["道路", "ghana"], "tag_match": "all"}, set()),
        ({"tag": "ＧＨＡＮＡ"}, {"port"}),
    ],
)
def test_the_api_filters_by_any_or_all_of_several_tags(api, tagged, params, expected):
    response = api.get("/api/v1/projects/", params)
    assert ids(response) == sorted(tagged[name].pk for name in expected)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"tag": "no such tag"}, "tag"),
        ({"tag": "\x00"}, "tag"),
        ({"tag": "a" * 300}, "tag"),
        ({"tag": "港湾", "tag_match": "some"}, "tag_match"),
    ],
)
def test_a_wrong_tag_filter_is_a_400_naming_it(api, tagged, params, name):
    response = api.get("/api/v1/projects/", params)
    assert response.status_code == 400, response.content
    assert name in response.json()


def test_every_tagged_list_takes_the_tag_filter(api):
    port = tag("港湾")
    meeting = factories.MeetingFactory()
    records = {
        "/api/v1/missions/": meeting.mission,
        "/api/v1/meetings/": meeting,
        "/api/v1/agreements/": factories.AgreementFactory(),
        "/api/v1/projects/": factories.ProjectFactory(),
        "/api/v1/organizations/": factories.OrganizationFactory(),
    }
    for url, record in records.items():
        record.tags.add(port)
        response = api.get(url, {"tag": "港湾"})
        assert ids(response) == [record.pk], url
        assert response.json()["results"][0]["tags"] == ["港湾"]


def test_a_list_reads_the_tags_of_a_page_in_one_query(api):
    tags = [tag(f"tag {n}") for n in range(5)]

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/agreements/", {"page_size": 100}).status_code == 200
        return len([q for q in queries.captured_queries if "core_tag" in q["sql"]])

    factories.AgreementFactory().tags.set(tags)
    one = count()
    for _ in range(10):
        factories.AgreementFactory().tags.set(tags)
    assert count() == one == 1


def test_the_spreadsheet_of_a_list_has_the_tags(api, tagged):
    rows = csv_rows(api.get("/api/v1/projects/", {"format": "csv", "tag": "道路"}))
    assert rows[0][-1] == "tags"
    assert rows[1][-1] == "港湾, 道路"


def test_a_hidden_record_is_found_by_no_tag(analyst_api, analyst_user):
    port = tag("港湾")
    secret = factories.MissionFactory(classification=SECRET)
    secret.tags.add(port)
    # The tag is no secret; the record it is on is.
    assert ids(analyst_api.get("/api/v1/missions/", {"tag": "港湾"})) == []
    secret.access_users.add(analyst_user)
    assert ids(analyst_api.get("/api/v1/missions/", {"tag": "港湾"})) == [secret.pk]


def test_the_history_keeps_the_tags_a_record_had(api):
    mission = factories.MissionFactory()
    api.patch(detail("/api/v1/missions/", mission), {"tags": ["港湾"]}, format="json")
    api.patch(detail("/api/v1/missions/", mission), {"tags": ["道路"]}, format="json")
    versions = list(mission.history.order_by("history_date", "history_id"))
    seen = [sorted(row.tag.name for row in version.tags.all()) for version in versions]
    assert ["港湾"] in seen and seen[-1] == ["道路"]
    history = api.get(f"/api/v1/missions/{mission.pk}/history/").json()
    assert "tags" in str(history)


# -- rename and merge ----------------------------------------------------------------------


def test_a_rename_is_read_on_every_record_and_moves_their_version():
    port = tag("港湾")
    project = factories.ProjectFactory()
    project.tags.add(port)
    before = Project.objects.get(pk=project.pk).updated_at
    tag_rename(tag=port, name="港湾・物流")
    assert Project.objects.get(pk=project.pk).updated_at > before
    assert [t.name for t in project.tags.all()] == ["港湾・物流"]
    assert port.history.first().name == "港湾・物流"
    other = tag("道路")
    with pytest.raises(ValidationError):
        tag_rename(tag=other, name="港湾・物流")


def test_a_merge_moves_every_record_once_with_a_version(administrator_user):
    port, ports, road = tag("港湾"), tag("Ports"), tag("道路")
    both = factories.MeetingFactory()
    both.tags.set([port, ports])
    one = factories.OrganizationFactory()
    one.tags.set([ports, road])
    kept = factories.AgreementFactory()
    kept.tags.set([port])
    versions, kept_versions = both.history.count(), kept.history.count()
    tag_merge(tags=[port, ports], keep=port, user=administrator_user)
    assert list(both.tags.all()) == [port]
    assert set(one.tags.all()) == {port, road}
    assert list(kept.tags.all()) == [port]
    assert not Tag.objects.filter(pk=ports.pk).exists()
    latest = both.history.first()
    assert both.history.count() == versions + 1
    assert latest.history_change_reason == "Tag merged: Ports into 港湾"
    assert latest.history_user == administrator_user
    assert [row.tag_id for row in latest.tags.all()] == [port.pk]
    assert kept.history.count() == kept_versions  # it carried only the kept tag


# -- /api/v1/tags/ -------------------------------------------------------------------------

TAGS = "/api/v1/tags/"


def test_the_api_lists_tags_and_completes_one_as_typed(analyst_api, django_assert_num_queries):
    for name in ("道路", "港湾", "国際港湾", "Ghana Ports", "Kenya ports"):
        tag(name)

    body = analyst_api.get(TAGS).json()
    assert body["count"] == 5
    assert [row["name"] for row in body["results"]] == [
        "Ghana Ports",
        "Kenya ports",
        "国際港湾",
        "港湾",
        "道路",
    ]
    first = body["results"][0]
    assert first["url"] == f"http://testserver{TAGS}{first['id']}/"
    assert analyst_api.get(first["url"]).json()["name"] == "Ghana Ports"
    # As names compare (half-width kana and full-width letters too), the names that
    # begin with what is typed first.
    assert [row["name"] for row in analyst_api.get(TAGS, {"q": "港湾"}).json()["results"]] == [
        "港湾",
        "国際港湾",
    ]
    found = analyst_api.get(TAGS, {"q": "ＰＯＲＴＳ"}).json()["results"]
    assert [row["name"] for row in found] == ["Ghana Ports", "Kenya ports"]
    assert analyst_api.get(TAGS, {"q": "ken"}).json()["count"] == 1
    analyst_api.get(TAGS)  # permissions cached
    with django_assert_num_queries(2):  # the count and the page
        analyst_api.get(TAGS, {"page_size": 2})


@pytest.mark.parametrize("params", [{"tag": "x"}, {"q": "x" * 101}, {"page_size": 0}])
def test_a_wrong_tags_parameter_is_a_400_naming_it(analyst_api, params):
    response = analyst_api.get(TAGS, params)
    assert response.status_code == 400
    assert set(params) <= set(response.json())


def test_only_administrators_rename_and_merge_tags_through_the_api(
    analyst_api, api, administrator_user
):
    port, ports, road = tag("港湾"), tag("Ports"), tag("道路")
    project = factories.ProjectFactory()
    project.tags.set([ports, road])
    rename = {"name": "港湾・物流"}
    merge = {"tags": [ports.pk]}
    for client in (analyst_api, api):  # the Analyst and Data entry
        assert client.patch(f"{TAGS}{port.pk}/", rename, format="json").status_code == 403
        assert client.post(f"{TAGS}{port.pk}/merge/", merge, format="json").status_code == 403
        # New tags come with the records that carry them; deleting is the admin's.
        assert client.post(TAGS, rename, format="json").status_code in (403, 405)
        assert client.delete(f"{TAGS}{port.pk}/").status_code in (403, 405)
    assert Tag.objects.count() == 3

    admin = client_for(administrator_user)
    response = admin.patch(f"{TAGS}{port.pk}/", rename, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "港湾・物流"
    # Another tag's name, as names compare: a 400 naming the field.
    taken = admin.patch(f"{TAGS}{road.pk}/", {"name": "港湾・物流"}, format="json")
    assert taken.status_code == 400
    assert "name" in taken.json()

    response = admin.post(f"{TAGS}{port.pk}/merge/", merge, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "港湾・物流"
    assert not Tag.objects.filter(pk=ports.pk).exists()
    assert {t.name for t in project.tags.all()} == {"港湾・物流", "道路"}
    assert project.history.first().history_user == administrator_user
    for wrong in ({}, {"tags": []}, {"tags": [99999]}, {"tags": "x"}):
        response = admin.post(f"{TAGS}{port.pk}/merge/", wrong, format="json")
        assert response.status_code == 400, wrong
        assert "tags" in response.json()


def test_a_read_only_token_cannot_rename_a_tag(administrator_user):
    from rest_framework.test import APIClient

    from accounts.models import APIToken

    port = tag("港湾")
    token = APIToken(name="reader", user=administrator_user, can_write=False)
    key = token.issue_key()
    token.save()
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(TAGS).status_code == 200
    response = client.patch(f"{TAGS}{port.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert (
        client.post(f"{TAGS}{port.pk}/merge/", {"tags": [port.pk]}, format="json").status_code
        == 403
    )


# -- the admin -----------------------------------------------------------------------------


def test_tags_are_chosen_by_autocomplete_in_the_admin(data_entry_client):
    tag("コウワン")
    page = data_entry_client.get(reverse("admin:missions_mission_add"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-field-name="tags"' in html
    assert "admin-autocomplete" in html
    # The + beside the field adds a new tag (Data entry may add, not rename).
    assert reverse("admin:core_tag_add") in html
    found = data_entry_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "missions", "model_name": "mission", "field_name": "tags", "term": "ｺｳ"},
    )
    assert [result["text"] for result in found.json()["results"]] == ["コウワン"]


def test_the_admin_saves_the_tags_chosen(data_entry_client):
    port = tag("港湾")
    organization = factories.OrganizationFactory()
    url = reverse("admin:contacts_organization_change", args=[organization.pk])
    page = data_entry_client.get(url)
    data = posted_back(page) | {"tags": [port.pk]}
    response = data_entry_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(organization.tags.all()) == [port]


def test_the_admin_lists_show_and_filter_tags(data_entry_client, tagged):
    url = reverse("admin:projects_project_changelist")
    page = data_entry_client.get(url, {"tag": "港湾"})
    shown = {record.pk for record in page.context["cl"].result_list}
    assert shown == {tagged["both"].pk, tagged["port"].pk}
    assert "港湾, 道路" in page.content.decode()
    page = data_entry_client.get(url, {"tag": ["港湾", "道路"], "tag_match": "all"})
    assert [record.pk for record in page.context["cl"].result_list] == [tagged["both"].pk]
    page = data_entry_client.get(url, {"tag": ["道路", "Ghana"]})
    assert {record.pk for record in page.context["cl"].result_list} == {
        tagged["both"].pk,
        tagged["port"].pk,
    }
    # Choosing another tag in the filter adds it to those chosen.
    assert (
        "tag=%E6%B8%AF%E6%B9%BE&amp;tag=Ghana"
        in data_entry_client.get(url, {"tag": "港湾"}).content.decode()
        or "tag=Ghana&amp;tag=%E6%B8%AF%E6%B9%BE"
        in data_entry_client.get(url, {"tag": "港湾"}).content.decode()
    )


def test_an_admin_list_reads_its_tags_in_one_query(data_entry_client):
    url = reverse("admin:agreements_agreement_changelist")
    tags = [tag("港湾"), tag("道路")]

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert data_entry_client.get(url).status_code == 200
        return len(queries)

    factories.AgreementFactory().tags.set(tags)
    data_entry_client.get(url)
    few = count()
    for _ in range(10):
        factories.AgreementFactory().tags.set(tags)
    assert count() == few


def test_only_administrators_rename_and_merge_tags(data_entry_client, client, administrator_user):
    port, ports = tag("港湾"), tag("Ports")
    change = reverse("admin:core_tag_change", args=[ports.pk])
    assert data_entry_client.post(change, {"name": "Renamed"}).status_code == 403
    changelist = reverse("admin:core_tag_changelist")
    merge = {"action": "merge_selected", "_selected_action": [port.pk, ports.pk]}
    data_entry_client.post(changelist, {**merge, "post": "yes", "keep": port.pk})
    assert Tag.objects.filter(pk=ports.pk).exists()

    client.force_login(administrator_user)
    project = factories.ProjectFactory()
    project.tags.set([ports])
    page = client.post(changelist, merge)
    assert page.status_code == 200
    assert "Tag to keep" in page.content.decode() or "残すタグ" in page.content.decode()
    response = client.post(changelist, {**merge, "post": "yes", "keep": port.pk})
    assert response.status_code == 302
    assert list(project.tags.all()) == [port]
    assert not Tag.objects.filter(pk=ports.pk).exists()


def test_an_administrator_renames_a_tag_in_the_admin(client, administrator_user):
    port = tag("港湾")
    client.force_login(administrator_user)
    url = reverse("admin:core_tag_change", args=[port.pk])
    version = client.get(url).context["adminform"].form["version"].value()
    response = client.post(url, {"name": "港湾・空港", "version": version})
    assert response.status_code == 302
    port.refresh_from_db()
    assert port.name == "港湾・空港"


def test_the_merge_page_counts_only_records_the_user_may_read(client, administrator_user):
    port, ports = tag("港湾"), tag("Ports")
    factories.MissionFactory(classification=SECRET).tags.add(ports)
    factories.MissionFactory().tags.add(ports)
    client.force_login(administrator_user)
    page = client.post(
        reverse("admin:core_tag_changelist"),
        {"action": "merge_selected", "_selected_action": [port.pk, ports.pk]},
    )
    uses = {t.name: u for t, u in page.context["tags"]}
    assert [number for _kind, number in uses["Ports"]] == [1]


# -- the analysts' pages --------------------------------------------------------------------


def test_the_analysts_lists_show_and_filter_tags(analyst_client, tagged):
    page = analyst_client.get("/reports/projects/", {"tag": ["港湾", "道路"], "tag_match": "all"})
    assert page.status_code == 200
    assert [record.pk for record in page.context["records"]] == [tagged["both"].pk]
    html = page.content.decode()
    assert 'href="?tag=%E6%B8%AF%E6%B9%BE"' in html  # each tag links to its records
    assert 'name="tag"' in html and 'name="tag_match"' in html


@pytest.mark.parametrize("path", ["missions", "meetings", "agreements", "projects"])
def test_every_analysts_list_offers_the_tag_filter(analyst_client, path):
    tag("港湾")
    page = analyst_client.get(f"/reports/{path}/", {"tag": "港湾"})
    assert page.status_code == 200
    assert "tag" in page.context["shown_names"]


def test_an_analyst_page_lists_no_hidden_record_by_its_tag(analyst_client):
    factories.MissionFactory(classification=SECRET, title="Secret visit").tags.add(tag("港湾"))
    page = analyst_client.get("/reports/missions/", {"tag": "港湾"})
    assert page.status_code == 200
    assert list(page.context["records"]) == []
    assert "Secret visit" not in page.content.decode()


# -- roles ---------------------------------------------------------------------------------


def test_who_may_do_what_with_tags(data_entry_user, analyst_user, administrator_user):
    assert analyst_user.has_perm("core.view_tag") and not analyst_user.has_perm("core.add_tag")
    assert data_entry_user.has_perm("core.add_tag")
    assert not data_entry_user.has_perm("core.change_tag")
    assert not data_entry_user.has_perm("core.delete_tag")
    assert administrator_user.has_perm("core.change_tag")
    assert administrator_user.has_perm("core.delete_tag")


def test_an_api_token_client_sees_tags_in_japanese_and_english(data_entry_user):
    project = factories.ProjectFactory()
    project.tags.add(tag("港湾"))
    for language in ("ja", "en"):
        body = client_for(data_entry_user, language).get(detail("/api/v1/projects/", project))
        assert body.json()["tags"] == ["港湾"]


def test_my_exports_name_the_tags_of_an_export_as_they_are(analyst_client, analyst_user):
    import datetime

    from django.utils import timezone

    from exports.models import ExportJob

    first = tag("港湾")
    numbered = tag(str(first.pk))  # a tag named as another tag's id
    ExportJob.objects.create(
        user=analyst_user,
        resource="projects",
        format="csv",
        query=f"tag={numbered.name}",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    page = analyst_client.get(reverse("reports:export-list"))
    assert page.status_code == 200
    [job] = page.context["jobs"]
    assert [value for _label, value in job.filters] == [numbered.name]


def test_a_restored_record_carries_its_tags_again(administrator_user):
    from core.services import record_restore

    project = factories.ProjectFactory()
    project.tags.set([tag("港湾"), tag("道路")])
    pk = project.pk
    project.delete()
    deleted = Project.history.filter(id=pk, history_type="-").get()
    restored = record_restore(deleted=deleted, user=administrator_user)
    assert sorted(t.name for t in restored.tags.all()) == ["港湾", "道路"]


def test_tagged_records_and_their_history_conform_to_the_schema(administrator_user):
    from tests.core.test_schema_conformance import disagreements, validators_for

    reader = client_for(administrator_user, language=None)
    schema = reader.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    port, road = tag("港湾"), tag("道路")
    meeting = factories.MeetingFactory()
    records = {
        "/api/v1/missions/": meeting.mission,
        "/api/v1/meetings/": meeting,
        "/api/v1/agreements/": factories.AgreementFactory(),
        "/api/v1/projects/": factories.ProjectFactory(),
        "/api/v1/organizations/": factories.OrganizationFactory(),
    }
    found = {}
    for url, record in records.items():
        record.tags.set([port, road])
        for path, body in (
            (url, reader.get(url).json()),
            (f"{url}{{id}}/", reader.get(detail(url, record)).json()),
            (f"{url}{{id}}/history/", reader.get(f"{detail(url, record)}history/").json()),
        ):
            operation = schema["paths"][path]["get"]
            found.update(disagreements(validators_for(schema, operation), body, path))
    assert found == {}
