"""The directory through /api/v1/: organisations, people and their posts."""

import datetime

import pytest
from django.utils import timezone

from contacts.models import Organization, Person, Post
from tests import factories
from tests.api import (
    assert_bad_parameter,
    assert_message,
    client_for,
    count_list_queries,
    csv_rows,
    detail,
    ids,
    xlsx_rows,
)

pytestmark = pytest.mark.django_db

ORGANIZATIONS = "/api/v1/organizations/"
PEOPLE = "/api/v1/people/"
POSTS = "/api/v1/posts/"

# Queries of one list page, whatever its length (see count_list_queries): the count,
# the page, and one per prefetched relation. A change here is an N+1 or a lost
# prefetch: look before updating the number.
ORGANIZATION_LIST_QUERIES = 3  # count, page (parent joined), tags
PERSON_LIST_QUERIES = 3  # count, page, posts with their organisations
POST_LIST_QUERIES = 2  # count, page (person and organisation joined)


# Functions, not constants: a test run may cross midnight in Tokyo.
def today():
    return timezone.localdate()


def last_year():
    return today() - datetime.timedelta(days=365)


def yesterday():
    return today() - datetime.timedelta(days=1)


# -- organisations --------------------------------------------------------------------


def organization_payload(**changes):
    return {
        "name": "Ministry of Transport",
        "name_ja": "運輸省",
        "kind": "foreign_government",
        "country": "VN",
        "parent": None,
        "website": "https://mt.gov.vn/",
        "notes": "",
        **changes,
    }


def test_organization_list_and_retrieve(api):
    ministry = factories.OrganizationFactory(name="Ministry of Transport", country="VN")
    department = factories.OrganizationFactory(name="Railway Department", parent=ministry)
    rows = api.get(ORGANIZATIONS).json()["results"]
    assert [row["name"] for row in rows] == ["Ministry of Transport", "Railway Department"]

    response = api.get(detail(ORGANIZATIONS, department))
    assert response.status_code == 200
    assert response["ETag"]
    body = response.json()
    assert set(body) == {
        "id",
        "url",
        "name",
        "name_ja",
        "kind",
        "kind_label",
        "country",
        "country_name",
        "country_region",
        "country_region_label",
        "parent",
        "website",
        "notes",
        "tags",
        "created_at",
        "updated_at",
    }
    assert body["url"].endswith(detail(ORGANIZATIONS, department))
    assert body["kind"] == "foreign_government"
    assert body["kind_label"] == "Foreign government agency"
    assert (body["country"], body["country_name"], body["country_region"]) == (
        "VN",
        "Vietnam",
        "southeast_asia",
    )
    assert body["parent"] == {
        "id": ministry.pk,
        "url": f"http://testserver{detail(ORGANIZATIONS, ministry)}",
        "display": "Ministry of Transport",
    }


def test_organization_create_update_partial_update_delete(api):
    ministry = factories.OrganizationFactory()
    response = api.post(
        ORGANIZATIONS,
        organization_payload(name="Railway Department", parent=ministry.pk),
        format="json",
    )
    assert response.status_code == 201, response.content
    department = Organization.objects.get(pk=response.json()["id"])
    assert department.parent == ministry and department.name_ja == "運輸省"
    assert response.json()["parent"]["id"] == ministry.pk

    response = api.put(
        detail(ORGANIZATIONS, department),
        organization_payload(name="Railways Department", kind="other", country="KH"),
        format="json",
    )
    assert response.status_code == 200, response.content
    department.refresh_from_db()
    assert (department.name, department.kind, department.country.code, department.parent) == (
        "Railways Department",
        "other",
        "KH",
        None,
    )

    response = api.patch(detail(ORGANIZATIONS, department), {"notes": "Met in 2019"}, format="json")
    assert response.status_code == 200
    department.refresh_from_db()
    assert department.notes == "Met in 2019" and department.name == "Railways Department"

    assert api.delete(detail(ORGANIZATIONS, department)).status_code == 204
    assert not Organization.objects.filter(pk=department.pk).exists()


def test_deleting_an_organization_still_referred_to_is_a_409(api):
    ministry = factories.OrganizationFactory()
    factories.PostFactory(organization=ministry)
    response = api.delete(detail(ORGANIZATIONS, ministry))
    assert response.status_code == 409
    assert "detail" in response.json()
    assert Organization.objects.filter(pk=ministry.pk).exists()

    parent = factories.OrganizationFactory()
    factories.OrganizationFactory(parent=parent)
    assert api.delete(detail(ORGANIZATIONS, parent)).status_code == 409
    assert Organization.objects.filter(pk=parent.pk).exists()


def test_organization_duplicate_name_in_a_country_is_a_400(api):
    factories.OrganizationFactory(name="Ministry of Transport", country="VN")
    response = api.post(ORGANIZATIONS, organization_payload(), format="json")
    assert_message(
        response,
        "non_field_errors",
        "An organisation with this name already exists in this country.",
    )
    assert Organization.objects.count() == 1
    # The same name in another country is another organisation.
    assert (
        api.post(ORGANIZATIONS, organization_payload(country="KH"), format="json").status_code
        == 201
    )


def test_organization_cannot_be_inside_itself(api):
    ministry = factories.OrganizationFactory()
    department = factories.OrganizationFactory(parent=ministry)
    response = api.patch(detail(ORGANIZATIONS, ministry), {"parent": department.pk}, format="json")
    assert_message(response, "parent", "An organisation cannot be inside itself.")
    ministry.refresh_from_db()
    assert ministry.parent is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "ministry"),
        ("country", "XX"),
        ("parent", 999999),
        ("parent", "abc"),
        ("website", "not a url"),
    ],
)
def test_organization_invalid_values_are_refused_on_their_field(api, field, value):
    response = api.post(ORGANIZATIONS, organization_payload(**{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Organization.objects.exists()


def test_analyst_reads_organizations_but_cannot_write(analyst_api):
    ministry = factories.OrganizationFactory()
    assert analyst_api.get(ORGANIZATIONS).status_code == 200
    assert analyst_api.get(detail(ORGANIZATIONS, ministry)).status_code == 200
    assert (
        analyst_api.post(ORGANIZATIONS, organization_payload(name="New"), format="json").status_code
        == 403
    )
    assert (
        analyst_api.put(
            detail(ORGANIZATIONS, ministry), organization_payload(), format="json"
        ).status_code
        == 403
    )
    assert (
        analyst_api.patch(
            detail(ORGANIZATIONS, ministry), {"notes": "x"}, format="json"
        ).status_code
        == 403
    )
    assert analyst_api.delete(detail(ORGANIZATIONS, ministry)).status_code == 403
    assert Organization.objects.filter(pk=ministry.pk, notes="").exists()


def test_organization_filters(api):
    ministry = factories.OrganizationFactory(name="Ministry of Transport", country="VN")
    department = factories.OrganizationFactory(
        name="Railway Department", name_ja="鉄道局", country="VN", parent=ministry
    )
    company = factories.JapaneseCompanyFactory(name="Tokyo Engineering", notes="Rolling stock")
    ghana = factories.OrganizationFactory(
        name="Ghana Ports Authority", country="GH", kind="foreign_company"
    )

    assert ids(api.get(ORGANIZATIONS, {"kind": "japanese_company"})) == [company.pk]
    assert ids(api.get(ORGANIZATIONS, {"kind": ["japanese_company", "foreign_company"]})) == sorted(
        [company.pk, ghana.pk]
    )
    assert ids(api.get(ORGANIZATIONS, {"country": "GH"})) == [ghana.pk]
    assert ids(api.get(ORGANIZATIONS, {"country": ["GH", "JP"]})) == sorted([ghana.pk, company.pk])
    assert ids(api.get(ORGANIZATIONS, {"region": "africa"})) == [ghana.pk]
    assert ids(api.get(ORGANIZATIONS, {"region": ["east_asia", "africa"]})) == sorted(
        [ghana.pk, company.pk]
    )
    assert ids(api.get(ORGANIZATIONS, {"parent": ministry.pk})) == [department.pk]
    # Membership today: Viet Nam is a member, Ghana and Japan are not.
    assert ids(api.get(ORGANIZATIONS, {"asean": "true"})) == sorted([ministry.pk, department.pk])
    assert ids(api.get(ORGANIZATIONS, {"asean": "false"})) == sorted([company.pk, ghana.pk])
    assert ids(api.get(ORGANIZATIONS, {"q": "鉄道"})) == [department.pk]
    assert ids(api.get(ORGANIZATIONS, {"q": "rolling"})) == [company.pk]
    assert ids(api.get(ORGANIZATIONS, {"q": "ministry transport"})) == [ministry.pk]
    ordered = api.get(ORGANIZATIONS, {"ordering": "-name"}).json()["results"]
    assert [row["id"] for row in ordered] == [company.pk, department.pk, ministry.pk, ghana.pk]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"kind": "ministry"}, "kind"),
        ({"country": "XX"}, "country"),
        ({"country": "\x00"}, "country"),
        ({"region": "mars"}, "region"),
        ({"asean": "perhaps"}, "asean"),
        ({"parent": "abc"}, "parent"),
        ({"parent": "999999"}, "parent"),
        ({"q": "\x00"}, "q"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"ordering": "password"}, "ordering"),
    ],
)
def test_organization_bad_filter_values_are_a_400_naming_them(api, params, name):
    assert_bad_parameter(api, ORGANIZATIONS, params, name)


def test_organization_csv_export_has_japanese_headers_and_labels(data_entry_user):
    ministry = factories.OrganizationFactory(name="Ministry of Transport", name_ja="運輸省")
    factories.OrganizationFactory(name="Railway Department", parent=ministry)
    factories.JapaneseCompanyFactory()
    client = client_for(data_entry_user, language="ja")
    rows = csv_rows(client.get(ORGANIZATIONS, {"format": "csv", "country": "VN"}))
    assert rows[0] == [
        "名称（英語）",
        "名称（日本語）",
        "種別",
        "国",
        "上位機関",
        "ウェブサイト",
        "備考",
        "タグ",
    ]
    assert rows[1][:5] == ["Ministry of Transport", "運輸省", "外国政府機関", "ベトナム", ""]
    assert rows[2][0] == "Railway Department"
    assert rows[2][4] == "運輸省"  # the parent by its name, in the reader's language
    assert len(rows) == 3


def test_organization_xlsx_export(api):
    factories.OrganizationFactory.create_batch(3)
    rows = xlsx_rows(api.get(ORGANIZATIONS, {"format": "xlsx"}))
    assert len(rows) == 4
    assert rows[0][0] == "name (English)"
    assert rows[1][2] == "Foreign government agency"


def test_organization_list_query_count_does_not_grow(data_entry_user):
    def make(count):
        for _ in range(count):
            factories.OrganizationFactory(parent=factories.OrganizationFactory())

    make(1)
    few = count_list_queries(data_entry_user, ORGANIZATIONS)
    make(24)
    many = count_list_queries(data_entry_user, ORGANIZATIONS)
    assert (few[1]["count"], many[1]["count"]) == (2, 50)
    assert few[0] == many[0] == ORGANIZATION_LIST_QUERIES


# -- people ---------------------------------------------------------------------------


def person_payload(**changes):
    return {
        "name": "Nguyen Van A",
        "name_ja": "グエン・ヴァン・A",
        "email": "a@mt.gov.vn",
        "phone": "+84 24 0000 0000",
        "notes": "",
        **changes,
    }


def test_person_shows_posts_and_current_posts(api):
    person = factories.PersonFactory(name="Nguyen Van A")
    ministry = factories.OrganizationFactory(name="Ministry of Transport")
    old = factories.PostFactory(
        person=person,
        organization=ministry,
        title="Director",
        start_date=datetime.date(2015, 1, 1),
        end_date=datetime.date(2017, 12, 31),
    )
    open_ended = factories.PostFactory(
        person=person, organization=ministry, title="Minister", start_date=datetime.date(2018, 1, 1)
    )
    ending_later = factories.PostFactory(
        person=person, title="Chair", start_date=datetime.date(2018, 1, 1), end_date=today()
    )
    body = api.get(detail(PEOPLE, person)).json()
    assert set(body) == {
        "id",
        "url",
        "name",
        "name_ja",
        "email",
        "phone",
        "notes",
        "posts",
        "current_posts",
        "created_at",
        "updated_at",
    }
    assert {post["id"] for post in body["posts"]} == {old.pk, open_ended.pk, ending_later.pk}
    assert {post["id"] for post in body["current_posts"]} == {open_ended.pk, ending_later.pk}
    minister = next(post for post in body["posts"] if post["id"] == open_ended.pk)
    assert minister == {
        "id": open_ended.pk,
        "url": f"http://testserver{detail(POSTS, open_ended)}",
        "display": "Minister, Ministry of Transport",
    }
    listed = api.get(PEOPLE).json()["results"]
    assert [row["id"] for row in listed] == [person.pk]
    assert len(listed[0]["current_posts"]) == 2


def test_person_create_update_partial_update_delete(api):
    response = api.post(PEOPLE, person_payload(), format="json")
    assert response.status_code == 201, response.content
    person = Person.objects.get(pk=response.json()["id"])
    assert person.email == "a@mt.gov.vn"
    assert response.json()["posts"] == [] and response.json()["current_posts"] == []

    response = api.put(
        detail(PEOPLE, person), person_payload(name="Nguyen Van B", email=""), format="json"
    )
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert (person.name, person.email) == ("Nguyen Van B", "")

    assert api.patch(detail(PEOPLE, person), {"phone": "123"}, format="json").status_code == 200
    person.refresh_from_db()
    assert person.phone == "123" and person.name == "Nguyen Van B"

    post = factories.PostFactory(person=person)
    assert api.delete(detail(PEOPLE, person)).status_code == 204
    # Posts belong to their person and go with them.
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not Post.objects.filter(pk=post.pk).exists()


def test_person_invalid_email_is_refused(api):
    response = api.post(PEOPLE, person_payload(email="not an address"), format="json")
    assert response.status_code == 400 and "email" in response.json()
    assert not Person.objects.exists()


def test_analyst_reads_people_but_cannot_write(analyst_api):
    person = factories.PersonFactory()
    assert analyst_api.get(PEOPLE).status_code == 200
    assert analyst_api.get(detail(PEOPLE, person)).status_code == 200
    assert analyst_api.post(PEOPLE, person_payload(), format="json").status_code == 403
    assert (
        analyst_api.patch(detail(PEOPLE, person), {"notes": "x"}, format="json").status_code == 403
    )
    assert analyst_api.delete(detail(PEOPLE, person)).status_code == 403
    assert Person.objects.count() == 1


def test_person_filters(api):
    ministry = factories.OrganizationFactory()
    agency = factories.OrganizationFactory()
    minister = factories.PersonFactory(name="Minister", name_ja="大臣", email="m@mt.gov.vn")
    former = factories.PersonFactory(name="Former director")
    moved = factories.PersonFactory(name="Moved on")
    nobody = factories.PersonFactory(name="No post")
    factories.PostFactory(person=minister, organization=ministry)
    factories.PostFactory(
        person=former, organization=ministry, start_date=last_year(), end_date=yesterday()
    )
    # Left the ministry, now at the agency.
    factories.PostFactory(
        person=moved, organization=ministry, start_date=last_year(), end_date=yesterday()
    )
    factories.PostFactory(person=moved, organization=agency, start_date=today())

    assert ids(api.get(PEOPLE, {"organization": ministry.pk})) == sorted(
        [minister.pk, former.pk, moved.pk]
    )
    assert ids(api.get(PEOPLE, {"organization": agency.pk})) == [moved.pk]
    assert ids(api.get(PEOPLE, {"organization": [agency.pk, ministry.pk]})) == sorted(
        [minister.pk, former.pk, moved.pk]
    )
    assert ids(api.get(PEOPLE, {"current": "true"})) == sorted([minister.pk, moved.pk])
    assert ids(api.get(PEOPLE, {"current": "false"})) == sorted([former.pk, nobody.pk])
    # Together: holding a post at the ministry now, or not any more.
    assert ids(api.get(PEOPLE, {"organization": ministry.pk, "current": "true"})) == [minister.pk]
    assert ids(api.get(PEOPLE, {"organization": ministry.pk, "current": "false"})) == sorted(
        [former.pk, moved.pk]
    )
    assert ids(api.get(PEOPLE, {"q": "大臣"})) == [minister.pk]
    assert ids(api.get(PEOPLE, {"q": "m@mt.gov"})) == [minister.pk]
    assert ids(api.get(PEOPLE, {"q": "director"})) == [former.pk]
    ordered = api.get(PEOPLE, {"ordering": "-name"}).json()["results"]
    assert [row["id"] for row in ordered] == [nobody.pk, moved.pk, minister.pk, former.pk]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"organization": "abc"}, "organization"),
        ({"organization": "999999"}, "organization"),
        ({"organization": "\x00"}, "organization"),
        ({"current": "maybe"}, "current"),
        ({"current": "\x00"}, "current"),
        ({"q": "\x00"}, "q"),
        ({"ordering": "email_hash"}, "ordering"),
    ],
)
def test_person_bad_filter_values_are_a_400_naming_them(api, params, name):
    assert_bad_parameter(api, PEOPLE, params, name)


def test_person_csv_export_has_japanese_headers_and_current_posts(data_entry_user):
    person = factories.PersonFactory(name="Nguyen Van A", name_ja="グエン")
    ministry = factories.OrganizationFactory(name="Ministry of Transport", name_ja="運輸省")
    factories.PostFactory(person=person, organization=ministry, title="Minister", title_ja="大臣")
    factories.PostFactory(
        person=person, title="Director", start_date=last_year(), end_date=yesterday()
    )
    rows = csv_rows(client_for(data_entry_user, language="ja").get(PEOPLE, {"format": "csv"}))
    assert rows[0] == [
        "名称（英語）",
        "名称（日本語）",
        "メールアドレス",
        "電話番号",
        "現在の役職",
        "備考",
    ]
    assert rows[1][:2] == ["Nguyen Van A", "グエン"]
    assert rows[1][4] == "大臣, 運輸省"  # current posts only
    assert len(rows) == 2


def test_person_xlsx_export(api):
    factories.PostFactory.create_batch(3)
    rows = xlsx_rows(api.get(PEOPLE, {"format": "xlsx"}))
    assert len(rows) == 4
    assert rows[0][0] == "name (English)"


def test_person_list_query_count_does_not_grow(data_entry_user):
    def make(count):
        for _ in range(count):
            person = factories.PersonFactory()
            factories.PostFactory(person=person)
            factories.PostFactory(person=person, start_date=last_year(), end_date=yesterday())

    make(2)
    few = count_list_queries(data_entry_user, PEOPLE)
    make(48)
    many = count_list_queries(data_entry_user, PEOPLE)
    assert (few[1]["count"], many[1]["count"]) == (2, 50)
    assert few[0] == many[0] == PERSON_LIST_QUERIES


# -- posts ----------------------------------------------------------------------------


def post_payload(person, organization, **changes):
    return {
        "person": person.pk,
        "organization": organization.pk,
        "title": "Minister of Transport",
        "title_ja": "運輸大臣",
        "start_date": "2018-04-01",
        "end_date": None,
        **changes,
    }


def test_post_list_and_retrieve(api):
    post = factories.PostFactory(title="Minister")
    assert ids(api.get(POSTS)) == [post.pk]
    body = api.get(detail(POSTS, post)).json()
    assert set(body) == {
        "id",
        "url",
        "person",
        "organization",
        "title",
        "title_ja",
        "start_date",
        "end_date",
        "created_at",
        "updated_at",
    }
    assert body["person"]["id"] == post.person.pk
    assert body["organization"]["display"] == str(post.organization)
    assert body["start_date"] == "2018-01-01" and body["end_date"] is None


def test_post_create_update_partial_update_delete(api):
    person, ministry = factories.PersonFactory(), factories.OrganizationFactory()
    response = api.post(POSTS, post_payload(person, ministry), format="json")
    assert response.status_code == 201, response.content
    post = Post.objects.get(pk=response.json()["id"])
    assert (post.person, post.organization, post.title_ja) == (person, ministry, "運輸大臣")

    other = factories.OrganizationFactory()
    response = api.put(
        detail(POSTS, post), post_payload(person, other, end_date="2019-03-31"), format="json"
    )
    assert response.status_code == 200, response.content
    post.refresh_from_db()
    assert (post.organization, post.end_date) == (other, datetime.date(2019, 3, 31))

    assert (
        api.patch(detail(POSTS, post), {"title": "Vice-minister"}, format="json").status_code == 200
    )
    post.refresh_from_db()
    assert post.title == "Vice-minister"

    assert api.delete(detail(POSTS, post)).status_code == 204
    assert not Post.objects.exists()


def test_post_ending_before_it_starts_is_refused(api):
    person, ministry = factories.PersonFactory(), factories.OrganizationFactory()
    response = api.post(POSTS, post_payload(person, ministry, end_date="2018-03-31"), format="json")
    assert_message(response, "non_field_errors", "The end date cannot be before the start date.")
    assert not Post.objects.exists()

    post = factories.PostFactory(start_date=datetime.date(2018, 4, 1))
    response = api.patch(detail(POSTS, post), {"end_date": "2018-01-01"}, format="json")
    assert_message(response, "non_field_errors", "The end date cannot be before the start date.")
    post.refresh_from_db()
    assert post.end_date is None


def test_analyst_reads_posts_but_cannot_write(analyst_api):
    post = factories.PostFactory()
    assert analyst_api.get(detail(POSTS, post)).status_code == 200
    assert (
        analyst_api.post(
            POSTS, post_payload(post.person, post.organization), format="json"
        ).status_code
        == 403
    )
    assert analyst_api.delete(detail(POSTS, post)).status_code == 403


def test_post_filters(api):
    minister = factories.PersonFactory()
    ministry = factories.OrganizationFactory()
    current = factories.PostFactory(
        person=minister, organization=ministry, start_date=datetime.date(2019, 5, 1)
    )
    ended = factories.PostFactory(
        person=minister, start_date=datetime.date(2015, 1, 1), end_date=datetime.date(2018, 12, 31)
    )
    other = factories.PostFactory(
        organization=ministry, start_date=datetime.date(2020, 1, 1), end_date=today()
    )

    assert ids(api.get(POSTS, {"person": minister.pk})) == sorted([current.pk, ended.pk])
    assert ids(api.get(POSTS, {"organization": ministry.pk})) == sorted([current.pk, other.pk])
    assert ids(api.get(POSTS, {"current": "true"})) == sorted([current.pk, other.pk])
    assert ids(api.get(POSTS, {"current": "false"})) == [ended.pk]
    assert ids(api.get(POSTS, {"start_date_after": "2019-01-01"})) == sorted([current.pk, other.pk])
    assert ids(api.get(POSTS, {"start_date_before": "2019-05-01"})) == sorted(
        [current.pk, ended.pk]
    )
    assert ids(
        api.get(POSTS, {"start_date_after": "2019-01-01", "start_date_before": "2019-12-31"})
    ) == [current.pk]
    assert ids(api.get(POSTS, {"end_date_before": "2019-06-30"})) == [ended.pk]
    ordered = api.get(POSTS, {"ordering": "start_date"}).json()["results"]
    assert [row["id"] for row in ordered] == [ended.pk, current.pk, other.pk]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"person": "abc"}, "person"),
        ({"organization": "999999"}, "organization"),
        ({"start_date_after": "2019-02-30"}, "start_date_after"),
        ({"start_date_before": "\x00"}, "start_date_before"),
        ({"end_date_after": "soon"}, "end_date_after"),
        ({"current": "maybe"}, "current"),
        ({"q": "\x00"}, "q"),
        ({"ordering": "nonsense"}, "ordering"),
    ],
)
def test_post_bad_filter_values_are_a_400_naming_them(api, params, name):
    assert_bad_parameter(api, POSTS, params, name)


def test_post_csv_and_xlsx_exports(data_entry_user):
    ministry = factories.OrganizationFactory(name="Ministry of Transport", name_ja="運輸省")
    factories.PostFactory(
        person=factories.PersonFactory(name="A", name_ja="エー"),
        organization=ministry,
        title="Minister",
        title_ja="大臣",
    )
    rows = csv_rows(client_for(data_entry_user, language="ja").get(POSTS, {"format": "csv"}))
    assert rows[0] == ["人物", "機関", "名称（英語）", "名称（日本語）", "開始日", "終了日"]
    assert rows[1] == ["エー", "運輸省", "Minister", "大臣", "2018-01-01", ""]
    sheet = xlsx_rows(client_for(data_entry_user).get(POSTS, {"format": "xlsx"}))
    assert len(sheet) == 2 and sheet[1][0] == "A"


def test_post_list_query_count_does_not_grow(data_entry_user):
    factories.PostFactory.create_batch(2)
    few = count_list_queries(data_entry_user, POSTS)
    factories.PostFactory.create_batch(48)
    many = count_list_queries(data_entry_user, POSTS)
    assert (few[1]["count"], many[1]["count"]) == (2, 50)
    assert few[0] == many[0] == POST_LIST_QUERIES
