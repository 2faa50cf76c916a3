"""A record its reader may see that points at one they may not (an agreement that
supersedes a level-3 one, signed at a level-3 meeting, linked to a level-3 project):
the hidden one appears as nothing, or as "restricted" without its title, on every
path (core.classification.LinkedRecords)."""

import datetime

import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from agreements.admin import AgreementAdmin
from agreements.choices import AgreementStatus
from agreements.models import Agreement
from core.classification import RESTRICTED_LINK, Classification, LinkedRecords
from tests import factories
from tests.api import client_for, csv_rows, detail

pytestmark = pytest.mark.django_db

SECRET = Classification.NEED_TO_KNOW
HIDDEN = "ZZHIDDEN"
DAY = datetime.date(2019, 8, 28)


@pytest.fixture
def links():
    """Open agreements pointing at level-3 records of every kind."""
    secret_mission = factories.MissionFactory(
        title=f"{HIDDEN} mission",
        classification=SECRET,
        start_date=DAY,
        end_date=DAY,
    )
    secret_meeting = factories.MeetingFactory(
        mission=secret_mission, counterpart_country="VN", date=DAY
    )
    secret_project = factories.ProjectFactory(name=f"{HIDDEN} project", classification=SECRET)
    earlier = factories.AgreementFactory(
        title=f"{HIDDEN} earlier MoC",
        classification=SECRET,
        status=AgreementStatus.SUPERSEDED,
        signed_on=datetime.date(2015, 1, 1),
    )
    successor = factories.AgreementFactory(
        title="Open successor",
        supersedes=earlier,
        signed_at_meeting=secret_meeting,
        status=AgreementStatus.IN_FORCE,
        signed_on=DAY,
        projects=[secret_project],
    )
    # The other way round: an open agreement superseded by a level-3 one.
    superseded = factories.AgreementFactory(
        title="Open superseded", status=AgreementStatus.SUPERSEDED, signed_on=DAY
    )
    factories.AgreementFactory(
        title=f"{HIDDEN} later MoC", classification=SECRET, supersedes=superseded
    )
    return {"successor": successor, "superseded": superseded, "earlier": earlier}


def test_the_api_shows_hidden_links_as_nothing(analyst_user, links):
    api = client_for(analyst_user)
    successor = api.get(detail("/api/v1/agreements/", links["successor"])).json()
    assert successor["supersedes"] is None
    assert successor["signed_at_meeting"] is None
    assert successor["projects"] == []
    superseded = api.get(detail("/api/v1/agreements/", links["superseded"])).json()
    assert superseded["superseded_by"] is None
    listed = api.get("/api/v1/agreements/").content.decode()
    assert HIDDEN not in listed
    assert HIDDEN not in str(csv_rows(api.get("/api/v1/agreements/", {"format": "csv"})))
    # Those on the lists see them.
    for record in Agreement.objects.filter(title__startswith=HIDDEN):
        record.access_users.add(analyst_user)
    links["successor"].projects.get().access_users.add(analyst_user)
    links["earlier"].access_users.add(analyst_user)
    links["successor"].signed_at_meeting.mission.access_users.add(analyst_user)
    successor = api.get(detail("/api/v1/agreements/", links["successor"])).json()
    assert successor["supersedes"]["display"] == f"{HIDDEN} earlier MoC"
    assert successor["signed_at_meeting"] is not None
    assert [project["display"] for project in successor["projects"]] == [f"{HIDDEN} project"]


def test_a_history_does_not_name_hidden_links(analyst_user, links):
    successor = links["successor"]
    successor.title = "Open successor, renamed"
    successor.save()
    api = client_for(analyst_user)
    response = api.get(f"/api/v1/agreements/{successor.pk}/history/")
    assert response.status_code == 200
    assert HIDDEN not in response.content.decode()
    changes = {change["field"] for entry in response.json() for change in entry["changes"]}
    assert "title" in changes and "supersedes" not in changes


def test_a_list_decides_the_links_of_its_page_at_once(analyst_user, links):
    """No query per row: the page's level-3 links are looked up once per model."""
    api = client_for(analyst_user)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/agreements/").status_code == 200
        return len(queries)

    count()  # the caches of a first request (content types, permissions)
    few = count()
    for number in range(4):
        earlier = factories.AgreementFactory(
            title=f"{HIDDEN} {number}",
            classification=SECRET,
            status=AgreementStatus.SUPERSEDED,
            signed_on=datetime.date(2015, 1, 1),
        )
        factories.AgreementFactory(supersedes=earlier)
    assert count() == few


def test_the_admin_names_hidden_links_restricted_and_keeps_them(administrator_user, client, links):
    client.force_login(administrator_user)
    successor = links["successor"]
    url = f"/admin/agreements/agreement/{successor.pk}/change/"
    page = client.get(url).content.decode()
    assert HIDDEN not in page
    assert "機密性3（閲覧権限なし）" in page  # staff read Japanese
    # The form keeps what it cannot show: the link is among its choices, so that the
    # page saved unchanged keeps it.
    request = RequestFactory().get(url)
    request.user = administrator_user
    bound = AgreementAdmin(Agreement, site).get_form(request, successor)(instance=successor)
    assert bound.fields["supersedes"].label_from_instance(links["earlier"]) == RESTRICTED_LINK
    assert bound.fields["supersedes"].queryset.filter(pk=links["earlier"].pk).exists()
    # Another record the user may not read cannot be chosen.
    other = factories.AgreementFactory(title=f"{HIDDEN} other", classification=SECRET)
    assert not bound.fields["supersedes"].queryset.filter(pk=other.pk).exists()
    # The history page's list of changes names it restricted too.
    successor.supersedes = None
    successor.save()
    history = client.get(f"/admin/agreements/agreement/{successor.pk}/history/").content
    assert HIDDEN not in history.decode()


def test_the_analysts_pages_do_not_name_hidden_links(analyst_client, links):
    for url in ("/reports/agreements/", "/reports/countries/VN/", "/reports/meetings/"):
        response = analyst_client.get(url)
        assert response.status_code == 200
        assert HIDDEN not in response.content.decode(), url


def test_linked_records_without_a_user_see_levels_1_and_2(links):
    linked = LinkedRecords(None)
    assert linked.hidden(links["earlier"])
    assert not linked.hidden(links["successor"])
    assert linked.visible_pks(Agreement, {links["earlier"].pk, links["successor"].pk}) == {
        links["successor"].pk
    }


# -- webhooks ---------------------------------------------------------------------------


def _follow_agreements(name, owner):
    from django.contrib.contenttypes.models import ContentType

    from webhooks.models import Subscription

    subscription = Subscription.objects.create(
        name=name, url=f"https://example.com/{name}", owner=owner
    )
    subscription.record_types.add(ContentType.objects.get_for_model(Agreement))
    return subscription


def test_webhook_payloads_name_related_records_as_their_owner_sees_them(
    analyst_user, django_user_model, django_capture_on_commit_callbacks, monkeypatch, links
):
    from webhooks import services
    from webhooks.models import Delivery

    monkeypatch.setattr(services, "_enqueue", lambda delivery: None)
    reader = factories.UserFactory(username="negotiator")
    reader.groups.add(*analyst_user.groups.all())
    links["earlier"].access_users.add(reader)
    blind = _follow_agreements("blind", analyst_user)
    seeing = _follow_agreements("seeing", reader)
    unowned = _follow_agreements("unowned", None)
    successor = links["successor"]
    with django_capture_on_commit_callbacks(execute=True):
        successor.title = "Open successor, renamed"
        successor.save()
    payloads = {
        delivery.subscription_id: delivery.payload
        for delivery in Delivery.objects.filter(object_id=successor.pk)
    }
    assert set(payloads) == {blind.pk, seeing.pk, unowned.pk}
    assert payloads[seeing.pk]["supersedes"]["display"] == f"{HIDDEN} earlier MoC"
    for subscription in (blind, unowned):
        assert payloads[subscription.pk]["supersedes"] is None
        assert HIDDEN not in str(payloads[subscription.pk])
    # A level-3 record goes only to the subscriptions whose owner may read it.
    with django_capture_on_commit_callbacks(execute=True):
        links["earlier"].scope = "Changed"
        links["earlier"].save()
    sent_to = Delivery.objects.filter(object_id=links["earlier"].pk).values_list(
        "subscription", flat=True
    )
    assert list(sent_to) == [seeing.pk]


def test_the_admin_of_deliveries_and_exports_names_no_hidden_record(
    administrator_user, client, django_capture_on_commit_callbacks, monkeypatch, links
):
    from exports.services import export_job_create
    from webhooks import services
    from webhooks.models import Delivery

    monkeypatch.setattr(services, "_enqueue", lambda delivery: None)
    reader = factories.UserFactory(username="negotiator", is_superuser=True, is_staff=True)
    _follow_agreements("seeing", reader)
    with django_capture_on_commit_callbacks(execute=True):
        for record in (links["earlier"], links["successor"]):
            record.scope = "Changed"
            record.save()
    assert Delivery.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(
            user=reader,
            resource="agreements",
            format="csv",
            query=f"q={HIDDEN}+earlier&project={links['successor'].projects.get().pk}",
            language="en",
        )
    client.force_login(administrator_user)
    pages = [
        "/admin/webhooks/delivery/",
        f"/admin/webhooks/delivery/?q={HIDDEN.lower()[:-1]}",  # not repeating it
        "/admin/exports/exportjob/",
        f"/admin/exports/exportjob/{job.pk}/change/",
        *(f"/admin/webhooks/delivery/{d.pk}/change/" for d in Delivery.objects.all()),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 302), url
        assert HIDDEN not in response.content.decode(), url
    listed = client.get("/admin/webhooks/delivery/").context["cl"].result_list
    assert [delivery.object_id for delivery in listed] == [links["successor"].pk]
    # The asker reads their own words.
    client.force_login(reader)
    page = client.get(f"/admin/exports/exportjob/{job.pk}/change/").content.decode()
    assert HIDDEN in page


# -- filters naming records by id ------------------------------------------------------


def _id_filters():
    """(list address, parameter, model) of every API list filter naming classified
    records by id."""
    from django_filters.filters import QuerySetRequestMixin

    from config.api_router import router
    from core.classification import is_classified

    found = []
    for prefix, viewset, _basename in router.registry:
        filterset = getattr(viewset, "filterset_class", None)
        for name, declared in (filterset.base_filters if filterset else {}).items():
            queryset = getattr(declared, "queryset", None)
            if callable(queryset) and not hasattr(queryset, "model"):
                queryset = queryset(None)
            if (
                isinstance(declared, QuerySetRequestMixin)
                and hasattr(queryset, "model")
                and is_classified(queryset.model)
            ):
                found.append((f"/api/v1/{prefix}/", name, queryset.model))
    return found


def test_a_filter_naming_a_hidden_record_answers_as_for_no_record(analyst_user, analyst_client):
    from missions.models import Meeting, Mission
    from projects.models import Project

    mission = factories.MissionFactory(title=f"{HIDDEN} mission", classification=SECRET)
    hidden = {
        Mission: mission.pk,
        Meeting: factories.MeetingFactory(mission=mission).pk,
        Project: factories.ProjectFactory(name=HIDDEN, classification=SECRET).pk,
        Agreement: factories.AgreementFactory(title=HIDDEN, classification=SECRET).pk,
    }
    missing = 10**9
    filters = _id_filters()
    assert {(url, name) for url, name, _model in filters} >= {
        ("/api/v1/meetings/", "mission"),
        ("/api/v1/agreements/", "project"),
    }
    api = client_for(analyst_user)
    for url, name, model in filters:
        shown = api.get(url, {name: hidden[model]})
        none = api.get(url, {name: missing})
        assert none.status_code == 400, (url, name)
        assert shown.status_code == 400, (url, name)
        assert shown.json()[name][0].replace(str(hidden[model]), "<id>") == none.json()[name][
            0
        ].replace(str(missing), "<id>")
    # The analysts' pages take the same filters.
    for url, name, pk in (
        ("/reports/meetings/", "mission", hidden[Mission]),
        ("/reports/agreements/", "project", hidden[Project]),
    ):
        shown = analyst_client.get(url, {name: pk})
        none = analyst_client.get(url, {name: missing})
        assert shown.status_code == none.status_code
        assert shown.context["valid"] is False and none.context["valid"] is False


def test_a_read_only_admin_page_leaves_hidden_links_out(analyst_client, links):
    """An analyst may view agreements in the admin, not change them: the fields are
    printed as text."""
    for record in (links["successor"], links["superseded"]):
        response = analyst_client.get(f"/admin/agreements/agreement/{record.pk}/change/")
        assert response.status_code == 200
        page = response.content.decode()
        assert HIDDEN not in page
        assert "Open" in page


def test_an_earlier_version_in_the_admin_leaves_hidden_links_out(analyst_client, links):
    successor = links["successor"]
    version = successor.history.latest("history_id").history_id
    response = analyst_client.get(f"/admin/agreements/agreement/{successor.pk}/history/{version}/")
    assert response.status_code == 200
    assert HIDDEN not in response.content.decode()


def test_a_refusal_does_not_name_a_hidden_agreement(data_entry_user):
    """A meeting cannot move away from an agreement signed at it: the refusal names a
    level-3 agreement without its title."""
    meeting = factories.MeetingFactory(counterpart_country="VN", date=DAY)
    factories.AgreementFactory(
        title=f"{HIDDEN} signed here",
        classification=SECRET,
        signed_at_meeting=meeting,
        status=AgreementStatus.IN_FORCE,
        signed_on=DAY,
    )
    api = client_for(data_entry_user)
    response = api.patch(
        detail("/api/v1/meetings/", meeting), {"counterpart_country": "TH"}, format="json"
    )
    assert response.status_code == 400
    assert HIDDEN not in response.content.decode()
    assert "counterpart_country" in response.json()


def test_a_record_read_and_written_back_keeps_its_hidden_links(data_entry_user, links):
    """The API shows a hidden link as nothing; a client that writes back what it read
    (PUT) or sends null and a shorter list (PATCH) cannot remove what it cannot see."""
    api = client_for(data_entry_user)
    successor = links["successor"]
    url = detail("/api/v1/agreements/", successor)
    read = api.get(url)
    body = read.json()
    assert (body["supersedes"], body["projects"]) == (None, [])
    writable = {
        name: value
        for name, value in body.items()
        if name not in ("id", "url", "display") and not name.endswith(("_label", "_labels"))
    }
    response = api.put(url, writable, format="json", HTTP_IF_MATCH=read["ETag"])
    assert response.status_code == 200, response.json()
    successor.refresh_from_db()
    assert successor.supersedes == links["earlier"]
    assert successor.signed_at_meeting is not None
    assert [p.name for p in successor.projects.all()] == [f"{HIDDEN} project"]

    visible = factories.ProjectFactory(name="Open project")
    response = api.patch(url, {"supersedes": None, "projects": [visible.pk]}, format="json")
    assert response.status_code == 200, response.json()
    successor.refresh_from_db()
    assert successor.supersedes == links["earlier"]
    assert {p.name for p in successor.projects.all()} == {f"{HIDDEN} project", "Open project"}
    assert HIDDEN not in response.content.decode()
