"""Merging a person or an organisation entered twice (contacts.services.contact_merge):
every reference moves to the kept record in one transaction, the merge is in the
history of every record it changed, and webhooks hear of it."""

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.html import escape

from contacts.choices import OrganizationKind
from contacts.models import Organization, Person, Post
from contacts.services import contact_merge, contact_merge_plan, referring_relations
from missions.models import Meeting, Mission
from projects.choices import ParticipantRole
from projects.models import ProjectParticipant
from tests import factories
from webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db


def _pointing_at(model):
    """Every relation of every installed model to `model`, found independently of
    referring_relations(): the forward fields, histories' copies left out."""
    found = set()
    for candidate in apps.get_models():
        if candidate.__name__.startswith("Historical") or candidate._meta.auto_created:
            continue
        for field in candidate._meta.get_fields():
            if (
                isinstance(field, models.ForeignKey | models.ManyToManyField)
                and field.concrete
                and field.related_model is model
            ):
                through = getattr(field.remote_field, "through", None)
                if through is not None and not through._meta.auto_created:
                    continue  # moved as the through model's own foreign key
                found.add((candidate._meta.label, field.name))
    return found


@pytest.mark.parametrize("model", [Person, Organization])
def test_the_merge_finds_every_reference_of_every_app(model):
    """Found through _meta, so a reference added later (a meeting's principal, say) is
    moved without touching the merge."""
    relations = {
        (relation.related_model._meta.label, relation.field.name)
        for relation in referring_relations(model)
    }
    # The engagement table is derived from the meetings, recomputed as they move
    # (test_merging_a_principal_moves_their_engagements), never moved itself.
    assert relations == _pointing_at(model) - {("missions.Engagement", "principal")}
    assert relations  # and there are some


def test_merging_a_principal_moves_their_engagements(administrator_user):
    from missions.models import Engagement

    keep, merge = factories.PersonFactory(), factories.PersonFactory()
    meeting = factories.MeetingFactory(mission__leader=merge, mission__status="completed")
    assert meeting.principal == merge
    assert list(Engagement.objects.values_list("principal_id", flat=True)) == [merge.pk]

    contact_merge(keep=keep, merge=merge, user=administrator_user)

    meeting.refresh_from_db()
    assert (meeting.principal, meeting.mission.leader) == (keep, keep)
    assert list(Engagement.objects.values_list("principal_id", flat=True)) == [keep.pk]


def subscribe(*models):
    subscription = Subscription.objects.create(name="Directory", url="http://127.0.0.1:9/")
    subscription.record_types.set([ContentType.objects.get_for_model(m) for m in models])
    return subscription


def events(record):
    return sorted(
        Delivery.objects.filter(
            content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
        ).values_list("event", flat=True)
    )


def reasons(record):
    return [
        version.history_change_reason
        for version in type(record).history.filter(id=record.pk).order_by("history_id")
    ]


# -- people ---------------------------------------------------------------------------------


@pytest.fixture
def people(administrator_user):
    keep = factories.PersonFactory(name="ISHII Keiichi", name_ja="", email="ishii@mlit.go.jp")
    merge = factories.PersonFactory(
        name="Ishii Keiichi", name_ja="石井啓一", phone="03-5253-8111", notes="Minister."
    )
    keep.notes = "Met at TICAD7."
    keep.save()
    mission = factories.MissionFactory(leader=merge)
    both = factories.MeetingFactory()
    both.counterparts.add(keep, merge)
    only_merged = factories.MeetingFactory()
    only_merged.counterparts.add(merge)
    post = factories.PostFactory(person=merge)
    agreement = factories.AgreementFactory(signed_by=merge)
    subscribe(Person, Meeting, Mission, Post, type(agreement))
    return {
        "keep": keep,
        "merge": merge,
        "mission": mission,
        "both": both,
        "only_merged": only_merged,
        "post": post,
        "agreement": agreement,
        "user": administrator_user,
    }


def test_merging_a_person_moves_every_reference_to_the_kept_one(people):
    keep, merge = people["keep"], people["merge"]
    plan = contact_merge_plan(keep=keep, merge=merge)
    covered = {(ref.relation.related_model, ref.relation.field.name) for ref in plan.references}
    assert covered == {
        (Mission, "leader"),
        (Meeting, "counterparts"),
        (Post, "person"),
        (type(people["agreement"]), "signed_by"),
    }

    kept = contact_merge(keep=keep, merge=merge, user=people["user"])

    assert not Person.objects.filter(pk=merge.pk).exists()
    people["mission"].refresh_from_db()
    people["post"].refresh_from_db()
    people["agreement"].refresh_from_db()
    assert people["mission"].leader == kept
    assert people["post"].person == kept
    assert people["agreement"].signed_by == kept
    # The meeting that named both names the kept person once.
    assert list(people["both"].counterparts.all()) == [kept]
    assert list(people["only_merged"].counterparts.all()) == [kept]
    # Blank fields take the merged record's values; notes are joined.
    kept.refresh_from_db()
    assert (kept.name, kept.name_ja, kept.email, kept.phone) == (
        "ISHII Keiichi",
        "石井啓一",
        "ishii@mlit.go.jp",
        "03-5253-8111",
    )
    assert kept.notes == "Met at TICAD7.\n\nMinister."


def test_a_merge_is_in_the_history_of_every_record_it_changed(people):
    keep, merge = people["keep"], people["merge"]
    contact_merge(keep=keep, merge=merge, user=people["user"])
    deleted = Person.history.filter(id=merge.pk, history_type="-").get()
    assert deleted.history_change_reason == f"Merged into #{keep.pk} (ISHII Keiichi)"
    assert deleted.history_user == people["user"]
    assert reasons(keep)[-1] == f"Merged #{merge.pk} (Ishii Keiichi) into this record"
    moved = f"Moved from #{merge.pk} to #{keep.pk} by a merge"
    for record in ("mission", "both", "only_merged", "post", "agreement"):
        assert reasons(people[record])[-1] == moved, record
    # The meeting's version records its counterparts as they ended up.
    version = Meeting.history.filter(id=people["both"].pk).latest("history_id")
    assert [row.person_id for row in version.counterparts.all()] == [keep.pk]


def test_a_merge_sends_updated_for_what_moved_and_deleted_for_the_merged(people):
    keep, merge = people["keep"], people["merge"]
    Delivery.objects.all().delete()
    contact_merge(keep=keep, merge=merge, user=people["user"])
    assert events(merge) == ["deleted"]
    assert events(keep) == ["updated"]
    for record in ("mission", "both", "only_merged", "post", "agreement"):
        assert events(people[record]) == ["updated"], record


def test_a_merge_that_fails_changes_nothing(people, monkeypatch):
    keep, merge = people["keep"], people["merge"]

    def broken(self, *args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(Post, "save", broken)
    with pytest.raises(RuntimeError):
        contact_merge(keep=keep, merge=merge)
    assert Person.objects.filter(pk=merge.pk).exists()
    people["mission"].refresh_from_db()
    assert people["mission"].leader_id == merge.pk
    assert set(people["both"].counterparts.all()) == {keep, merge}
    assert list(people["only_merged"].counterparts.all()) == [merge]


# -- organisations ----------------------------------------------------------------------


def test_merging_an_organisation_moves_every_reference_and_repeats_none():
    keep = factories.JapaneseCompanyFactory(name="Nippon Koei", name_ja="日本工営")
    merge = factories.JapaneseCompanyFactory(
        name="NIPPON KOEI Co.", website="https://www.n-koei.co.jp/"
    )
    department = factories.JapaneseCompanyFactory(name="Railway Division", parent=merge)
    post = factories.PostFactory(organization=merge)
    mission = factories.MissionFactory()
    mission.delegation.add(keep, merge)
    meeting = factories.MeetingFactory()
    meeting.counterpart_organizations.add(merge)
    agreement = factories.AgreementFactory(japanese_signatory=merge)
    agreement.counterpart_organizations.add(merge)
    project = factories.ProjectFactory(owner=merge, awarded_to=merge)
    # The same role twice once merged: the kept organisation's row stays.
    kept_role = factories.ProjectParticipantFactory(
        project=project, organization=keep, role=ParticipantRole.CONTRACTOR
    )
    same_role = factories.ProjectParticipantFactory(
        project=project, organization=merge, role=ParticipantRole.CONTRACTOR
    )
    other_role = factories.ProjectParticipantFactory(
        project=project, organization=merge, role=ParticipantRole.CONSULTANT
    )
    plan = contact_merge_plan(keep=keep, merge=merge)
    assert {
        (ref.relation.related_model._meta.label, ref.relation.field.name) for ref in plan.references
    } == _pointing_at(Organization)

    contact_merge(keep=keep, merge=merge)

    assert not Organization.objects.filter(pk=merge.pk).exists()
    for record in (department, post, agreement, project, other_role):
        record.refresh_from_db()
    assert department.parent == keep and post.organization == keep
    assert agreement.japanese_signatory == keep
    assert list(agreement.counterpart_organizations.all()) == [keep]
    assert (project.owner, project.awarded_to) == (keep, keep)
    assert list(mission.delegation.all()) == [keep]
    assert list(meeting.counterpart_organizations.all()) == [keep]
    assert other_role.organization == keep
    assert not ProjectParticipant.objects.filter(pk=same_role.pk).exists()
    assert set(ProjectParticipant.objects.filter(project=project)) == {kept_role, other_role}
    keep.refresh_from_db()
    assert (keep.name, keep.website) == ("Nippon Koei", "https://www.n-koei.co.jp/")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"country": "KH"}, "Only organisations of the same kind and country can be merged"),
        ({"kind": OrganizationKind.OTHER}, "Only organisations of the same kind and country"),
    ],
)
def test_organisations_of_another_kind_or_country_are_not_merged(changes, message):
    keep = factories.OrganizationFactory(name="Ministry of Transport")
    merge = factories.OrganizationFactory(name="Ministry of Transports", **changes)
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        contact_merge(keep=keep, merge=merge)
    assert Organization.objects.filter(pk=merge.pk).exists()


def test_an_organisation_is_not_merged_with_its_own_department():
    ministry = factories.OrganizationFactory(name="Ministry of Transport")
    bureau = factories.OrganizationFactory(name="Railway Bureau", parent=ministry)
    division = factories.OrganizationFactory(name="Ministry of Transport.", parent=bureau)
    for keep, merge in ((ministry, division), (division, ministry)):
        with translation.override("en"), pytest.raises(ValidationError, match="own departments"):
            contact_merge(keep=keep, merge=merge)


def test_a_record_is_not_merged_with_itself_or_with_another_kind():
    person = factories.PersonFactory()
    with translation.override("en"):
        with pytest.raises(ValidationError, match="two different records"):
            contact_merge(keep=person, merge=person)
        with pytest.raises(ValidationError, match="same kind"):
            contact_merge(keep=person, merge=factories.OrganizationFactory())


# -- the admin ----------------------------------------------------------------------------


def _action(client, model, records, **extra):
    return client.post(
        f"/admin/contacts/{model._meta.model_name}/",
        {
            "action": "merge_selected",
            "_selected_action": [record.pk for record in records],
            **extra,
        },
    )


def test_the_admin_shows_what_moves_then_merges(client, people):
    keep, merge = people["keep"], people["merge"]
    client.force_login(people["user"])
    page = _action(client, Person, [keep, merge])
    assert page.status_code == 200
    assert page.templates[0].name == "admin/contacts/merge_confirmation.html"
    body = page.content.decode()
    # For each choice of the record kept, what moves to it.
    assert body.count('name="keep"') == 2
    with translation.override("ja"):  # the page's language
        assert escape(people["mission"]) in body and escape(people["post"]) in body
    assert "石井啓一" in body  # the Japanese name the kept record takes

    response = _action(client, Person, [keep, merge], post="yes", keep=keep.pk)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/contacts/person/{keep.pk}/change/"
    assert not Person.objects.filter(pk=merge.pk).exists()
    people["mission"].refresh_from_db()
    assert people["mission"].leader_id == keep.pk


def test_the_admin_merges_two_records_only(admin_client):
    first, second, third = factories.PersonFactory.create_batch(3)
    response = _action(admin_client, Person, [first, second, third], post="yes", keep=first.pk)
    assert response.status_code == 302
    assert Person.objects.count() == 3


def test_the_admin_shows_why_two_organisations_cannot_be_merged(admin_client):
    keep = factories.OrganizationFactory(name="Ministry of Transport", country="VN")
    merge = factories.OrganizationFactory(name="Ministry of Transport", country="KH")
    page = _action(admin_client, Organization, [keep, merge])
    body = page.content.decode()
    # In Japanese, the staff's language.
    assert "統合できるのは種別と国が同じ機関どうしだけです。" in body
    assert 'name="keep"' not in body and 'value="統合"' not in body


def test_only_administrators_merge(client, data_entry_user):
    first, second = factories.PersonFactory.create_batch(2)
    client.force_login(data_entry_user)
    page = client.get("/admin/contacts/person/")
    assert "merge_selected" not in page.content.decode()
    response = _action(client, Person, [first, second], post="yes", keep=first.pk)
    assert Person.objects.count() == 2
    assert response.status_code in (200, 302)
