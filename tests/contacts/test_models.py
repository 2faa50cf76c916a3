import datetime

import pytest

from contacts.models import Organization, Person
from tests.factories import OrganizationFactory, PersonFactory, PostFactory
from tests.rules import NON_FIELD_ERRORS, assert_refused, db_refuses

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("factory", [OrganizationFactory, PersonFactory, PostFactory])
def test_factory_defaults_are_valid(factory):
    factory().full_clean()


# Organization


# Names compare folded (core.folding.name_key): case, character width and spaces aside.
@pytest.mark.parametrize(
    "name",
    [
        "Ministry of Transport",
        "MINISTRY OF TRANSPORT",
        "ＭＩＮＩＳＴＲＹ ＯＦ ＴＲＡＮＳＰＯＲＴ",
        "Ministry  of　Transport ",
    ],
)
def test_organization_name_is_unique_within_a_country(name):
    OrganizationFactory(name="Ministry of Transport", country="VN")
    duplicate = OrganizationFactory.build(name=name, country="VN")
    assert_refused(
        duplicate,
        NON_FIELD_ERRORS,
        "An organisation with this name already exists in this country.",
    )
    with db_refuses():
        duplicate.save()


def test_the_same_name_is_allowed_in_another_country():
    OrganizationFactory(name="Ministry of Transport", country="VN")
    OrganizationFactory.build(name="Ministry of Transport", country="KH").full_clean()


def test_organization_cannot_be_its_own_parent():
    ministry = OrganizationFactory()
    ministry.parent = ministry
    assert_refused(ministry, "parent", "An organisation cannot be inside itself.")
    with db_refuses("organization_not_own_parent"):
        Organization.objects.filter(pk=ministry.pk).update(parent=ministry)


def test_own_parent_constraint_has_its_message():
    ministry = OrganizationFactory()
    ministry.parent = ministry
    assert_refused(
        ministry,
        NON_FIELD_ERRORS,
        "An organisation cannot be its own parent.",
        validate=ministry.validate_constraints,
    )


def test_organization_parents_cannot_form_a_cycle():
    ministry = OrganizationFactory()
    bureau = OrganizationFactory(parent=ministry)
    division = OrganizationFactory(parent=bureau)
    ministry.parent = division
    assert_refused(ministry, "parent", "An organisation cannot be inside itself.")
    bureau.parent = division
    assert_refused(bureau, "parent", "An organisation cannot be inside itself.")


def test_a_chain_of_departments_is_valid():
    ministry = OrganizationFactory()
    bureau = OrganizationFactory(parent=ministry)
    division = OrganizationFactory.build(parent=bureau)
    division.full_clean()
    # Moving the division to another ministry is no cycle either.
    division.save()
    division.parent = OrganizationFactory()
    division.full_clean()


# Post


def test_post_cannot_end_before_it_starts():
    post = PostFactory(start_date=datetime.date(2018, 1, 1))
    post.end_date = datetime.date(2017, 12, 31)
    assert_refused(post, NON_FIELD_ERRORS, "The end date cannot be before the start date.")
    with db_refuses("post_end_after_start"):
        type(post).objects.filter(pk=post.pk).update(end_date=datetime.date(2017, 12, 31))


def test_post_may_end_on_the_day_it_starts_or_stay_open():
    post = PostFactory(start_date=datetime.date(2018, 1, 1), end_date=datetime.date(2018, 1, 1))
    post.full_clean()
    post.end_date = None
    post.full_clean()


@pytest.fixture
def minister():
    """A person who was vice-minister, then minister, and is now an adviser."""
    person = PersonFactory()
    posts = {
        "vice_minister": PostFactory(
            person=person,
            title="Vice-Minister",
            start_date=datetime.date(2014, 4, 1),
            end_date=datetime.date(2016, 3, 31),
        ),
        "minister": PostFactory(
            person=person,
            title="Minister",
            start_date=datetime.date(2016, 4, 1),
            end_date=datetime.date(2020, 6, 30),
        ),
        "adviser": PostFactory(
            person=person, title="Adviser", start_date=datetime.date(2020, 7, 1), end_date=None
        ),
    }
    return person, posts


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2014, 3, 31), None),
        (datetime.date(2014, 4, 1), "vice_minister"),
        (datetime.date(2016, 3, 31), "vice_minister"),
        (datetime.date(2016, 4, 1), "minister"),
        (datetime.date(2018, 5, 2), "minister"),
        (datetime.date(2020, 6, 30), "minister"),
        (datetime.date(2020, 7, 1), "adviser"),
        (datetime.date(2030, 1, 1), "adviser"),
    ],
)
def test_post_on_returns_the_post_held_that_day(minister, day, expected):
    person, posts = minister
    assert person.post_on(day) == (posts[expected] if expected else None)


def test_post_on_is_none_after_the_last_post_ended():
    post = PostFactory(start_date=datetime.date(2015, 1, 1), end_date=datetime.date(2016, 1, 1))
    assert post.person.post_on(datetime.date(2016, 1, 2)) is None
    assert post.person.post_on(datetime.date(2016, 1, 1)) == post


def test_post_on_prefers_the_latest_started_of_overlapping_posts():
    person = PersonFactory()
    PostFactory(person=person, start_date=datetime.date(2015, 1, 1))
    concurrent = PostFactory(person=person, start_date=datetime.date(2017, 1, 1))
    assert person.post_on(datetime.date(2018, 1, 1)) == concurrent


def test_post_on_reads_prefetched_posts_without_a_query(minister, django_assert_num_queries):
    PostFactory.create_batch(2)  # other people with posts
    people = list(Person.objects.prefetch_related("posts"))
    assert len(people) == 3
    with django_assert_num_queries(0):
        held = {person.pk: person.post_on(datetime.date(2018, 5, 2)) for person in people}
    person, posts = minister
    assert held[person.pk] == posts["minister"]
