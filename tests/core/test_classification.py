"""Classification (機密性) and who may read: the field, the inheritance rule, the one
queryset that decides (visible_to), and each path that shows records."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Agreement, AgreementDocument
from core.classification import Classification
from followups.models import FollowUp
from missions.models import Meeting, Mission
from projects.models import ProjectParticipant
from reports import selectors
from tests import factories
from tests.api import client_for, csv_rows, detail, ids

SECRET = Classification.NEED_TO_KNOW

pytestmark = pytest.mark.django_db


def secret_mission(**extra):
    mission = factories.MissionFactory(
        title="Secret negotiation visit", classification=SECRET, **extra
    )
    return mission


# -- the field and the inheritance ------------------------------------------------------


def test_default_is_level_2_with_labels():
    mission = factories.MissionFactory()
    assert mission.classification == Classification.INTERNAL
    from django.utils import translation

    with translation.override("en"):
        assert str(Classification(3).label) == "Classification 3"
    with translation.override("ja"):
        assert str(Classification(3).label) == "機密性3"
        assert mission.marking == "機密性2"


def test_a_meeting_is_at_least_as_restricted_as_its_mission():
    mission = secret_mission()
    meeting = factories.MeetingFactory(mission=mission)
    # A new meeting left at the default takes its mission's level.
    assert meeting.classification == SECRET
    meeting.classification = Classification.INTERNAL
    with pytest.raises(ValidationError) as error:
        meeting.full_clean()
    assert "classification" in error.value.message_dict


def test_raising_a_mission_raises_its_meetings_and_follow_ups():
    meeting = factories.MeetingFactory()
    followup = factories.FollowUpFactory(target=meeting)
    mission = meeting.mission
    mission.classification = SECRET
    mission.full_clean()
    mission.save()
    meeting.refresh_from_db()
    followup.refresh_from_db()
    assert meeting.classification == SECRET
    assert followup.classification == SECRET


def test_a_follow_up_is_at_least_as_restricted_as_its_record():
    agreement = factories.AgreementFactory(classification=SECRET)
    followup = factories.FollowUpFactory(target=agreement)
    assert followup.classification == SECRET
    followup.classification = Classification.PUBLIC
    with pytest.raises(ValidationError):
        followup.full_clean()


def test_an_access_list_below_level_3_is_refused_by_the_api(api):
    agreement = factories.AgreementFactory()
    response = api.patch(
        detail("/api/v1/agreements/", agreement),
        {"access_users": [api.handler._force_user.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert "access_users" in response.json()


# -- who sees what ----------------------------------------------------------------------


def test_visible_to(analyst_user, django_user_model):
    mission = secret_mission()
    open_mission = factories.MissionFactory()
    assert list(Mission.objects.visible_to(analyst_user)) == [open_mission]
    mission.access_users.add(analyst_user)
    assert set(Mission.objects.visible_to(analyst_user)) == {mission, open_mission}
    mission.access_users.clear()
    group = Group.objects.create(name="Ghana desk")
    analyst_user.groups.add(group)
    mission.access_groups.add(group)
    assert set(Mission.objects.visible_to(analyst_user)) == {mission, open_mission}
    superuser = django_user_model.objects.create_superuser("root", "r@example.com", "x")
    assert Mission.objects.visible_to(superuser).count() == 2


def test_the_rule_is_the_same_inside_subqueries_at_any_depth_and_negated(analyst_user):
    """The condition is SQL written once (core.classification.VisibleTo), aliased to
    the table of the query it is put in: a subquery, a subquery of a subquery, a join
    to the same table, or exclude() find exactly the rows a plain list finds."""
    from django.db.models import Exists, OuterRef

    listed, hidden = secret_mission(), secret_mission()
    listed.access_users.add(analyst_user)
    open_mission = factories.MissionFactory()
    meetings = {
        mission: factories.MeetingFactory(mission=mission)
        for mission in (listed, hidden, open_mission)
    }
    secret_meeting_of_open = factories.MeetingFactory(mission=open_mission, classification=SECRET)
    visible = set(Meeting.objects.visible_to(analyst_user))
    assert visible == {meetings[listed], meetings[open_mission]}
    everything = set(Meeting.objects.all())
    assert set(Meeting.objects.exclude(pk__in=[m.pk for m in visible])) == everything - visible
    # Negated: the rows the reader may not see, and none of those they may.
    from core.classification import readable_q

    assert set(Meeting.objects.exclude(readable_q(Meeting, analyst_user))) == {
        meetings[hidden],
        secret_meeting_of_open,
    }
    # As a subquery, and as a subquery of a subquery (whose aliases Django renames).
    inner = Meeting.objects.visible_to(analyst_user).values("pk")
    assert set(Meeting.objects.filter(pk__in=inner)) == visible
    missions = Mission.objects.filter(
        Exists(Meeting.objects.visible_to(analyst_user).filter(mission=OuterRef("pk")))
    )
    assert set(missions) == {listed, open_mission}
    deeper = Mission.objects.filter(
        Exists(
            Meeting.objects.filter(
                mission=OuterRef("pk"),
                pk__in=Meeting.objects.visible_to(analyst_user).filter(
                    mission__in=Mission.objects.visible_to(analyst_user).values("pk")
                ),
            )
        )
    )
    assert set(deeper) == {listed, open_mission}
    # Through a join to the same table: the meetings of missions that have a visible one.
    joined = Meeting.objects.filter(
        mission__meetings__in=Meeting.objects.visible_to(analyst_user)
    ).distinct()
    assert set(joined) == {meetings[listed], meetings[open_mission], secret_meeting_of_open}


def test_attached_records_follow_what_they_hang_on(analyst_user):
    mission = secret_mission()
    meeting = factories.MeetingFactory(mission=mission)
    followup = factories.FollowUpFactory(target=meeting)
    agreement = factories.AgreementFactory(classification=SECRET)
    document = factories.AgreementDocumentFactory(agreement=agreement)
    project = factories.ProjectFactory(classification=SECRET)
    participant = factories.ProjectParticipantFactory(project=project)
    for model, record in (
        (Meeting, meeting),
        (FollowUp, followup),
        (AgreementDocument, document),
        (ProjectParticipant, participant),
    ):
        assert not model.objects.visible_to(analyst_user).filter(pk=record.pk).exists()
    # On the mission's list: the meeting without a list of its own, and its follow-up.
    mission.access_users.add(analyst_user)
    assert Meeting.objects.visible_to(analyst_user).filter(pk=meeting.pk).exists()
    assert FollowUp.objects.visible_to(analyst_user).filter(pk=followup.pk).exists()
    # A meeting with a list of its own is read by those on it only.
    other = factories.UserFactory()
    meeting.access_users.add(other)
    assert not Meeting.objects.visible_to(analyst_user).filter(pk=meeting.pk).exists()
    agreement.access_users.add(analyst_user)
    assert AgreementDocument.objects.visible_to(analyst_user).filter(pk=document.pk).exists()


def test_api_list_detail_history_and_export(analyst_user):
    secret = factories.AgreementFactory(title="Secret MoC", classification=SECRET)
    shown = factories.AgreementFactory(title="Open MoC")
    api = client_for(analyst_user)
    assert ids(api.get("/api/v1/agreements/")) == [shown.pk]
    assert api.get(detail("/api/v1/agreements/", secret)).status_code == 404
    assert api.get(f"/api/v1/agreements/{secret.pk}/history/").status_code == 404
    rows = csv_rows(api.get("/api/v1/agreements/", {"format": "csv"}))
    assert "Secret MoC" not in str(rows) and "Open MoC" in str(rows)
    assert ids(api.get("/api/v1/agreements/", {"cursor": ""})) == [shown.pk]
    # Deleted at level 3: no history for those who could not read it.
    secret.delete()
    assert api.get(f"/api/v1/agreements/{secret.pk}/history/").status_code == 404
    secret = factories.AgreementFactory(title="Secret MoC", classification=SECRET)
    secret.access_users.add(analyst_user)
    body = api.get(detail("/api/v1/agreements/", secret)).json()
    assert body["classification"] == 3
    assert [user["id"] for user in body["access_users"]] == [analyst_user.pk]


def test_nested_briefs_leave_out_hidden_records(analyst_user):
    project = factories.ProjectFactory(name="Secret railway", classification=SECRET)
    meeting = factories.MeetingFactory(projects=[project])
    api = client_for(analyst_user)
    body = api.get(detail("/api/v1/meetings/", meeting)).json()
    assert body["projects"] == []
    listed = api.get("/api/v1/meetings/").json()["results"]
    assert listed[0]["projects"] == []
    rows = csv_rows(api.get("/api/v1/meetings/", {"format": "csv"}))
    assert "Secret railway" not in str(rows)


def test_a_creator_stays_on_the_list_of_what_they_classify_3(data_entry_user):
    api = client_for(data_entry_user)
    leader = factories.PersonFactory()
    response = api.post(
        "/api/v1/missions/",
        {
            "title": "Quiet visit",
            "leader": leader.pk,
            "leader_rank": "minister",
            "kind": "overseas_visit",
            "start_date": "2019-08-28",
            "end_date": "2019-08-30",
            "classification": 3,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert [user["id"] for user in response.json()["access_users"]] == [data_entry_user.pk]


def test_list_queries_do_not_grow_with_level_3_rows(analyst_user):
    def count(url):
        api = client_for(analyst_user)
        api.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url, {"page_size": 100}).status_code == 200
        return len(queries)

    factories.MeetingFactory.create_batch(2)
    few = count("/api/v1/meetings/")
    for _ in range(5):
        meeting = factories.MeetingFactory(mission=secret_mission())
        meeting.access_users.add(analyst_user)
        factories.MeetingFactory(mission=secret_mission())
    factories.MeetingFactory.create_batch(5)
    many = count("/api/v1/meetings/")
    # The access lists of the page's level-3 rows: one query each, whatever the size.
    assert many <= few + 2


def test_engagement_statistics_count_only_visible_meetings(analyst_user):
    day = datetime.date(2018, 5, 1)
    visible = factories.MissionFactory(status="completed", start_date=day)
    factories.MeetingFactory(mission=visible, counterpart_country="GH")
    hidden = secret_mission(status="completed", start_date=day)
    factories.MeetingFactory(mission=hidden, counterpart_country="KE")
    # A level-3 meeting inside an engagement the analyst sees: its meeting is not counted.
    secret = factories.MeetingFactory(
        mission=visible, counterpart_country="GH", classification=SECRET, date=day
    )
    secret.access_users.add(factories.UserFactory())
    period = selectors.Period.calendar_year(2018)
    everyone = selectors.engagement_statistics(period=period)
    assert (everyone.engagements, everyone.meetings) == (2, 3)
    stats = selectors.engagement_statistics(period=period, user=analyst_user)
    assert (stats.engagements, stats.countries, stats.meetings) == (1, 1, 1)
    stats = selectors.engagement_statistics(period=None, user=analyst_user)
    assert (stats.engagements, stats.meetings) == (1, 1)
    by_year = selectors.engagements_by_year_and_region(user=analyst_user)
    assert [row["total"] for row in by_year.years] == [1]
    api = client_for(analyst_user)
    body = api.get("/api/v1/reports/engagements/", {"year": 2018}).json()
    assert (body["engagements"], body["meetings"]) == (1, 1)


def test_document_download(analyst_user):
    document = factories.AgreementDocumentFactory(
        agreement=factories.AgreementFactory(classification=SECRET)
    )
    client = client_for(analyst_user, session=True)
    url = f"/agreements/documents/{document.pk}/download/"
    assert client.get(url).status_code == 404
    document.agreement.access_users.add(analyst_user)
    assert client.get(url).status_code == 200


def test_webhooks_send_level_3_only_to_owners_who_may_read_it(analyst_user):
    from webhooks.models import Delivery, Subscription

    content_type = ContentType.objects.get_for_model(Agreement)
    unowned = Subscription.objects.create(name="unowned", url="https://example.com/a")
    owned = Subscription.objects.create(
        name="owned", url="https://example.com/b", owner=analyst_user
    )
    for subscription in (unowned, owned):
        subscription.record_types.add(content_type)
    agreement = factories.AgreementFactory(classification=SECRET)
    assert not Delivery.objects.filter(object_id=agreement.pk).exists()
    agreement.access_users.add(analyst_user)
    agreement.save()
    assert list(
        Delivery.objects.filter(object_id=agreement.pk).values_list("subscription", flat=True)
    ) == [owned.pk]


def test_background_export_filters_with_the_requesting_user(analyst_user):
    from exports.services import export_build, export_job_create

    factories.MeetingFactory(mission=secret_mission(), topics="Secret topic")
    factories.MeetingFactory(topics="Open topic")
    job = export_job_create(
        user=analyst_user, resource="meetings", format="csv", query="", language="en"
    )
    job = export_build(job_id=job.pk)
    assert job.row_count == 1
    content = job.file.open("rb").read().decode("utf-8-sig")
    assert "Open topic" in content and "Secret topic" not in content


def test_admin_hides_level_3_records(administrator_user, client):
    secret = factories.ProjectFactory(name="Secret port", classification=SECRET)
    client.force_login(administrator_user)
    assert "Secret port" not in client.get("/admin/projects/project/").content.decode()
    change = client.get(f"/admin/projects/project/{secret.pk}/change/")
    assert change.status_code == 302  # "no such record", as for a deleted one
    assert client.get(f"/admin/projects/project/{secret.pk}/history/").status_code == 404
    found = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "missions",
            "model_name": "meeting",
            "field_name": "projects",
            "term": "Secret",
        },
    )
    assert "Secret port" not in found.content.decode()
    secret.access_users.add(administrator_user)
    page = client.get("/admin/projects/project/").content.decode()
    assert "Secret port" in page


def test_pages_carry_the_marking_of_their_most_restricted_record(
    analyst_client, administrator_user, client
):
    meeting = factories.MeetingFactory(
        mission=factories.MissionFactory(classification=Classification.PUBLIC),
        classification=Classification.PUBLIC,
    )
    marking = '<p class="classification-marking" role="note">'
    assert marking not in analyst_client.get("/reports/meetings/").content.decode()
    Meeting.objects.filter(pk=meeting.pk).update(classification=Classification.INTERNAL)
    page = analyst_client.get("/reports/meetings/").content.decode()
    assert f"{marking}機密性2</p>" in page
    brief = analyst_client.get("/reports/countries/VN/").content.decode()
    assert f"{marking}機密性2</p>" in brief
    client.force_login(administrator_user)
    change = client.get(f"/admin/missions/meeting/{meeting.pk}/change/").content.decode()
    assert f"{marking}機密性2</p>" in change
    listed = client.get("/admin/missions/meeting/").content.decode()
    assert f"{marking}機密性2</p>" in listed
