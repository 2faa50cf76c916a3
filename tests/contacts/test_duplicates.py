"""One organisation, one person: names compare folded (NFKC, lower case) for the
uniqueness of an organisation's name, and a new record whose name is the same or
nearly the same as one on file is shown its likely duplicates first, in the admin and
in the API, on SQLite and on PostgreSQL."""

import importlib
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection

from contacts.models import Organization, Person
from contacts.services import (
    _similar_in_python,
    contact_similar,
    likely_duplicates,
)
from tests import factories
from tests.admin_pages import NOTES, no_rows
from tests.rules import NON_FIELD_ERRORS

pytestmark = pytest.mark.django_db

ON_POSTGRESQL = connection.vendor == "postgresql"
PEOPLE = "/api/v1/people/"
ORGANIZATIONS = "/api/v1/organizations/"


# -- one organisation: its name is unique in its country as names compare -----------------
# (the model rule itself: tests/contacts/test_models.py)


def test_the_compared_name_follows_every_rename():
    ministry = factories.OrganizationFactory(name="Ministry of Transport")
    ministry.name = "ＭＩＮＩＳＴＲＹ ＯＦ ＲＯＡＤＳ"
    ministry.save(update_fields=["name"])
    ministry.refresh_from_db()
    assert ministry.name_key == "ministry of roads"


def test_the_api_refuses_an_organisation_differing_only_by_case(api):
    factories.OrganizationFactory(name="Ministry of Transport", country="VN")
    response = api.post(
        ORGANIZATIONS,
        {"name": "MINISTRY OF TRANSPORT", "kind": "foreign_government", "country": "VN"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == [
        "An organisation with this name already exists in this country."
    ]
    assert Organization.objects.count() == 1


@pytest.mark.api_language("ja")
def test_the_refusal_is_in_japanese_too(api):
    factories.OrganizationFactory(name="Ministry of Transport", country="VN")
    response = api.post(
        ORGANIZATIONS,
        {"name": "ministry of transport", "kind": "foreign_government", "country": "VN"},
        format="json",
    )
    assert response.json()["non_field_errors"] == [
        "この国には同じ名称の機関がすでに登録されています。"
    ]


def test_the_admin_refuses_an_organisation_differing_only_by_width(admin_client):
    factories.OrganizationFactory(name="Ministry of Transport", country="VN")
    response = admin_client.post(
        "/admin/contacts/organization/add/",
        {
            "name": "ＭＩＮＩＳＴＲＹ ＯＦ ＴＲＡＮＳＰＯＲＴ",
            "kind": "foreign_government",
            "country": "VN",
        },
    )
    assert response.status_code == 200  # the form again, not a 500
    assert response.context["adminform"].form.non_field_errors()
    assert Organization.objects.count() == 1


# -- likely duplicates --------------------------------------------------------------------


@pytest.fixture
def ishii(db):
    return factories.PersonFactory(name="ISHII Keiichi", name_ja="石井啓一")


@pytest.mark.parametrize(
    ("name", "name_ja"),
    [
        ("ISHII Keiichi", "石井啓一"),  # the same, entered again
        ("ishii keiichi", ""),  # another case
        ("ＩＳＨＩＩ Ｋｅｉｉｃｈｉ", ""),  # full width
        ("Keiichi Ishii", ""),  # the other order
        ("ISHII Keichi", ""),  # a slip
        ("K. Ishii", "石井 啓一"),  # the Japanese name, with a space
    ],
)
def test_a_likely_duplicate_person_is_found(ishii, name, name_ja):
    assert contact_similar(Person, name=name, name_ja=name_ja) == [ishii]


@pytest.mark.parametrize(
    ("name", "name_ja"), [("ADACHI Masashi", "阿達雅志"), ("Ito Hiroshi", ""), ("", "")]
)
def test_another_person_is_no_duplicate(ishii, name, name_ja):
    assert contact_similar(Person, name=name, name_ja=name_ja) == []


def test_likely_duplicate_organisations_are_those_of_its_country():
    ghana = factories.OrganizationFactory(
        name="Ministry of Roads and Highways", name_ja="ガーナ道路高速道省", country="GH"
    )
    factories.OrganizationFactory(name="Ministry of Roads and Highways", country="TN")
    assert contact_similar(Organization, name="Ministry of Road & Highways", country="GH") == [
        ghana
    ]
    assert contact_similar(Organization, name="", name_ja="ｶﾞｰﾅ道路高速道省", country="GH") == [
        ghana
    ]
    assert contact_similar(Organization, name="Ghana Highway Authority", country="GH") == []


def test_the_most_similar_come_first(ishii):
    slip = factories.PersonFactory(name="ISHII Keichi")
    factories.PersonFactory(name="Someone Else")
    assert contact_similar(Person, name="ISHII Keiichi") == [ishii, slip]
    assert contact_similar(Person, name="ISHII Keiichi", exclude_pk=ishii.pk) == [slip]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="compares pg_trgm with the fallback")
def test_postgresql_and_the_fallback_find_the_same_candidates():
    names = [
        ("ISHII Keiichi", "石井啓一"),
        ("Keiichi Ishii", ""),
        ("ISHII Kenji", "石井健二"),
        ("ADACHI Masashi", "阿達雅志"),
        ("Ministry of Transport", "運輸省"),
        ("Ministry of Transport Office 2", ""),
    ]
    for name, name_ja in names:
        factories.PersonFactory(name=name, name_ja=name_ja)
    for name, name_ja in [*names, ("ishii", ""), ("", "石井")]:
        wanted = {k: v for k, v in (("name", name), ("name_ja", name_ja)) if v}
        assert contact_similar(Person, name=name, name_ja=name_ja) == _similar_in_python(
            Person.objects.all(), wanted
        )


# -- in the API ---------------------------------------------------------------------------


def test_the_api_answers_a_likely_duplicate_with_its_candidates(ishii, api):
    response = api.post(PEOPLE, {"name": "Ishii Keiichi", "name_ja": "石井啓一"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["confirm_new"] == [
        "Records with the same or a very similar name exist (candidates). Use one of them, "
        "or send confirm_new=true to create this one anyway."
    ]
    assert body["candidates"] == [
        {"id": ishii.pk, "url": f"http://testserver{PEOPLE}{ishii.pk}/", "display": "ISHII Keiichi"}
    ]
    assert Person.objects.count() == 1

    response = api.post(
        PEOPLE, {"name": "Ishii Keiichi", "name_ja": "石井啓一", "confirm_new": True}, format="json"
    )
    assert response.status_code == 201, response.content
    assert "confirm_new" not in response.json()
    assert Person.objects.count() == 2


@pytest.mark.api_language("ja")
def test_the_api_explains_a_likely_duplicate_in_japanese(ishii, api):
    response = api.post(PEOPLE, {"name": "ISHII Keiichi"}, format="json")
    assert response.status_code == 400
    assert "confirm_new=true" in response.json()["confirm_new"][0]
    assert "似た名前" in response.json()["confirm_new"][0]


def test_the_api_creates_a_new_name_without_confirmation_and_updates_freely(ishii, api):
    response = api.post(PEOPLE, {"name": "ADACHI Masashi"}, format="json")
    assert response.status_code == 201, response.content
    # A change is no creation: no candidates asked about.
    response = api.patch(f"{PEOPLE}{ishii.pk}/", {"notes": "Minister."}, format="json")
    assert response.status_code == 200, response.content


def test_an_organisation_in_another_country_is_no_candidate(api):
    factories.OrganizationFactory(name="Ministry of Transport", country="VN")
    payload = {"name": "Ministry of Transports", "kind": "foreign_government"}
    response = api.post(ORGANIZATIONS, {**payload, "country": "VN"}, format="json")
    assert response.status_code == 400 and response.json()["candidates"]
    response = api.post(ORGANIZATIONS, {**payload, "country": "KH"}, format="json")
    assert response.status_code == 201, response.content


def test_a_request_with_other_errors_gets_those_first(ishii, api):
    response = api.post(PEOPLE, {"name": "ISHII Keiichi", "email": "not an address"}, format="json")
    assert response.status_code == 400
    assert "email" in response.json() and "candidates" not in response.json()


# -- in the admin ------------------------------------------------------------------------


def _add_person(client, **data):
    return client.post(
        "/admin/contacts/person/add/",
        {"name": "", "name_ja": "", **no_rows("posts"), **no_rows(NOTES), **data},
    )


def test_the_admin_shows_likely_duplicates_before_saving(ishii, admin_client):
    page = _add_person(admin_client, name="Ishii Keiichi")
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert form.has_error(NON_FIELD_ERRORS, "likely_duplicate")
    body = page.content.decode()
    assert f'href="/admin/contacts/person/{ishii.pk}/change/"' in body
    assert 'type="checkbox" name="confirm_new"' in body
    assert Person.objects.count() == 1

    response = _add_person(admin_client, name="Ishii Keiichi", confirm_new="on")
    assert response.status_code == 302
    assert Person.objects.count() == 2


def test_the_admin_adds_a_new_name_at_once(ishii, admin_client):
    page = admin_client.get("/admin/contacts/person/add/")
    assert 'type="hidden" name="confirm_new"' in page.content.decode()
    assert _add_person(admin_client, name="ADACHI Masashi").status_code == 302
    assert Person.objects.count() == 2


# -- find_duplicates ------------------------------------------------------------------------


def test_find_duplicates_lists_likely_duplicates_in_existing_data(ishii):
    again = factories.PersonFactory(name="Ishii Keiichi")
    factories.PersonFactory(name="ADACHI Masashi", name_ja="阿達雅志")
    ghana = factories.OrganizationFactory(name="Ministry of Roads", country="GH")
    ghana_again = factories.OrganizationFactory(name="Ministry of Road", country="GH")
    factories.OrganizationFactory(name="Ministry of Roads", country="TN")

    pairs = likely_duplicates(Person)
    assert [(pair.first, pair.second, pair.score) for pair in pairs] == [(ishii, again, 1.0)]
    assert [(pair.first, pair.second) for pair in likely_duplicates(Organization)] == [
        (ghana, ghana_again)
    ]
    out = StringIO()
    call_command("find_duplicates", stdout=out)
    text = out.getvalue()
    assert f"#{ishii.pk} ISHII Keiichi / 石井啓一  ~  #{again.pk} Ishii Keiichi" in text
    assert f"#{ghana.pk} Ministry of Roads (GH)  ~  #{ghana_again.pk} Ministry of Road (GH)" in text
    assert "2 likely duplicates" in text


def test_find_duplicates_says_when_there_are_none():
    factories.PersonFactory(name="ADACHI Masashi")
    out = StringIO()
    call_command("find_duplicates", "--only", "people", stdout=out)
    assert out.getvalue().endswith("No likely duplicates.\n")


def test_find_duplicates_finds_what_the_new_record_check_finds():
    """The whole-table listing (with its shortcut) finds every pair the one-record check
    finds: each record compared with the others."""
    names = [
        "ISHII Keiichi",
        "Ishii Kenji",
        "Keiichi Ishii",
        "ADACHI Masashi",
        "Adachi Masa",
        "Tanaka Taro",
        "Taro Tanaka",
        "Yamada Hanako",
        "Minister of Roads",
        "Minister of Railways",
    ]
    people = [factories.PersonFactory(name=name) for name in names]
    expected = set()
    for person in people:
        for other in _similar_in_python(
            Person.objects.exclude(pk=person.pk), {"name": person.name}
        ):
            expected.add(tuple(sorted((person.pk, other.pk))))
    found = {(pair.first.pk, pair.second.pk) for pair in likely_duplicates(Person)}
    assert found == expected and found


# -- the migrations that bring existing organisations under the rule ---------------------


def _migration(name):
    return importlib.import_module(f"contacts.migrations.{name}")


def test_the_migration_fills_the_compared_names_of_existing_organisations():
    ministry = factories.OrganizationFactory(name="ＭＩＮＩＳＴＲＹ of Roads")
    Organization.objects.update(name_key="")  # as the column is added
    _migration("0004_organization_name_key").fill_name_keys(django_apps, None)
    ministry.refresh_from_db()
    assert ministry.name_key == "ministry of roads"


@pytest.mark.skipif(not ON_POSTGRESQL, reason="drops the constraint inside the test's transaction")
def test_the_migration_names_organisations_entered_twice_before_the_rule():
    first = factories.OrganizationFactory(name="Ministry of Roads", country="GH")
    second = factories.OrganizationFactory(name="Ministry of Roads (old)", country="GH")
    factories.OrganizationFactory(name="Ministry of Roads", country="TN")
    refuse = _migration("0005_organization_unique_name_key").refuse_duplicates
    refuse(django_apps, None)  # none yet
    # As before the rule: no constraint, and a second "MINISTRY OF ROADS" in Ghana.
    (constraint,) = [
        c
        for c in Organization._meta.constraints
        if c.name == "organization_unique_name_key_country"
    ]
    with connection.cursor() as cursor:
        # The rows' deferred foreign-key checks, which an ALTER TABLE may not leave pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.schema_editor() as editor:
        editor.remove_constraint(Organization, constraint)
    Organization.objects.filter(pk=second.pk).update(
        name="MINISTRY OF ROADS", name_key="ministry of roads"
    )
    with pytest.raises(RuntimeError) as refused:
        refuse(django_apps, None)
    message = str(refused.value)
    assert f"#{first.pk} 'Ministry of Roads' (GH), #{second.pk} 'MINISTRY OF ROADS' (GH)" in message
    assert "find_duplicates" in message
