"""Every data-entry screen renders for the Data entry role, is closed to strangers,
and lists its rows in a number of queries that does not grow with the rows."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import AgreementDocument
from missions.choices import MissionStatus
from projects.models import ProjectParticipant
from tests import factories

RECORD_APPS = {"contacts", "projects", "missions", "agreements", "followups"}

FACTORY_OF = {
    "organization": factories.OrganizationFactory,
    "person": factories.PersonFactory,
    "post": factories.PostFactory,
    "project": factories.ProjectFactory,
    "projectparticipant": factories.ProjectParticipantFactory,
    "watchlist": factories.WatchListFactory,
    "watchlistentry": factories.WatchListEntryFactory,
    "orderfigure": factories.OrderFigureFactory,
    "mission": factories.MissionFactory,
    "meeting": factories.MeetingFactory,
    "agreement": factories.AgreementFactory,
    "agreementdocument": factories.AgreementDocumentFactory,
    "followup": factories.FollowUpFactory,
}

RECORD_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in RECORD_APPS),
    key=lambda model: model._meta.label,
)


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_record_model_has_an_admin():
    assert {model._meta.model_name for model in RECORD_MODELS} >= set(FACTORY_OF)


@pytest.mark.django_db
@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda m: m._meta.label)
def test_pages_render_for_data_entry(data_entry_client, model):
    record = FACTORY_OF[model._meta.model_name]()
    for url in (
        admin_url(model, "changelist"),
        admin_url(model, "add"),
        admin_url(model, "change", record.pk),
        admin_url(model, "history", record.pk),
    ):
        response = data_entry_client.get(url)
        assert response.status_code == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda m: m._meta.label)
def test_changelist_queries_do_not_grow_with_rows(data_entry_client, model):
    factory = FACTORY_OF[model._meta.model_name]
    url = admin_url(model, "changelist")

    def queries_for_page():
        with CaptureQueriesContext(connection) as captured:
            response = data_entry_client.get(url)
        assert response.status_code == 200
        return len(captured)

    factory.create_batch(2)
    with_two = queries_for_page()
    factory.create_batch(28)
    with_thirty = queries_for_page()
    assert with_thirty == with_two, (
        f"{model._meta.label}: {with_two} queries for 2 rows, {with_thirty} for 30"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("inline_model", "parent_of"),
    [
        (ProjectParticipant, lambda participant: participant.project),
        (AgreementDocument, lambda document: document.agreement),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_a_record_entered_inline_has_its_own_pages_reached_from_its_row(
    data_entry_client, inline_model, parent_of
):
    record = FACTORY_OF[inline_model._meta.model_name]()
    parent = parent_of(record)
    index = data_entry_client.get(reverse("admin:index")).content.decode()
    assert admin_url(inline_model, "changelist") not in index
    assert admin_url(type(parent), "changelist") in index

    parent_page = data_entry_client.get(admin_url(type(parent), "change", parent.pk))
    assert admin_url(inline_model, "change", record.pk) in parent_page.content.decode()
    history = data_entry_client.get(admin_url(inline_model, "history", record.pk))
    assert history.status_code == 200
    assert data_entry_client.get(admin_url(inline_model, "deleted")).status_code == 200


@pytest.mark.django_db
def test_strangers_are_sent_to_log_in(client):
    mission = factories.MissionFactory()
    for url in (admin_url(mission, "changelist"), admin_url(mission, "change", mission.pk)):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


@pytest.mark.django_db
def test_analyst_may_read_but_not_write(analyst_client):
    mission = factories.MissionFactory()
    assert analyst_client.get(admin_url(mission, "changelist")).status_code == 200
    assert analyst_client.get(admin_url(mission, "change", mission.pk)).status_code == 200
    assert analyst_client.get(admin_url(mission, "add")).status_code == 403
    response = analyst_client.post(
        admin_url(mission, "change", mission.pk), {"title": "changed by an analyst"}
    )
    assert response.status_code == 403
    mission.refresh_from_db()
    assert mission.title != "changed by an analyst"


@pytest.mark.django_db
def test_data_entry_cannot_delete_agreements(data_entry_client):
    agreement = factories.AgreementFactory()
    response = data_entry_client.post(admin_url(agreement, "delete", agreement.pk), {"post": "yes"})
    assert response.status_code == 403
    assert type(agreement).objects.filter(pk=agreement.pk).exists()


def _bilingual_pair(model, path):
    """The other language's search path of `path` ("organization__name" ↔
    "organization__name_ja"), if the record it names has both; else None."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    other = name[: -len("_ja")] if name.endswith("_ja") else f"{name}_ja"
    names = {field.name for field in model._meta.get_fields()}
    return "__".join([*relations, other]) if other in names else None


@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda m: m._meta.label)
def test_every_search_finds_a_record_by_its_english_and_its_japanese_name(model):
    search_fields = admin.site._registry[model].search_fields
    for path in search_fields:
        pair = _bilingual_pair(model, path.lstrip("^=@"))
        assert pair is None or pair in search_fields, f"{model._meta.label}: {path} without {pair}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "record_of",
    [
        lambda ministry: factories.AgreementFactory(counterpart_organizations=[ministry]),
        lambda ministry: factories.PostFactory(organization=ministry),
        lambda ministry: factories.MeetingFactory(counterpart_organizations=[ministry]),
    ],
    ids=["agreement", "post", "meeting"],
)
def test_admin_search_by_the_japanese_name_of_an_organisation(data_entry_client, record_of):
    record = record_of(factories.OrganizationFactory(name="Ministry of Roads", name_ja="道路省"))
    record_of(factories.OrganizationFactory(name="Ministry of Water", name_ja="水資源省"))

    response = data_entry_client.get(admin_url(type(record), "changelist"), {"q": "道路省"})

    assert list(response.context["cl"].result_list) == [record]


NUL = "\x00"


@pytest.mark.django_db
@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda m: m._meta.label)
def test_a_nul_byte_in_the_search_or_a_filter_is_a_bad_request(data_entry_client, model):
    """PostgreSQL refuses a NUL byte in a query: without the check, a filter carrying
    one is a server error there (SQLite would run it)."""
    FACTORY_OF[model._meta.model_name]()
    url = admin_url(model, "changelist")
    changelist = data_entry_client.get(url).context["cl"]
    parameters = {
        "q",
        *(name for spec in changelist.filter_specs for name in spec.expected_parameters()),
    }
    if changelist.date_hierarchy:
        parameters.add(f"{changelist.date_hierarchy}__year")

    for name in sorted(parameters):
        for value in (NUL, f"1{NUL}", f"VN{NUL}"):
            response = data_entry_client.get(url, {name: value})
            assert response.status_code == 400, (name, value)
    assert data_entry_client.get(url, {f"q{NUL}": "x"}).status_code == 400
    assert data_entry_client.get(url, {"q": "Ministry"}).status_code == 200


@pytest.mark.django_db
def test_a_nul_byte_in_an_autocomplete_term_is_a_bad_request(data_entry_client):
    response = data_entry_client.get(
        reverse("admin:autocomplete"),
        {
            "term": f"Minister{NUL}",
            "app_label": "missions",
            "model_name": "meeting",
            "field_name": "counterparts",
        },
    )
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page",
    [
        "accounts_user",
        "accounts_apitoken",
        "auth_group",
        "webhooks_subscription",
        "webhooks_delivery",
    ],
)
def test_the_libraries_and_our_other_admins_refuse_a_nul_byte_too(client, administrator_user, page):
    client.force_login(administrator_user)
    url = reverse(f"admin:{page}_changelist")
    assert client.get(url, {"q": "x"}).status_code == 200
    assert client.get(url, {"q": f"x{NUL}"}).status_code == 400
    assert client.get(url, {f"a{NUL}": "1"}).status_code == 400


@pytest.mark.django_db
def test_admin_posts_without_the_csrf_token_are_refused(data_entry_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(data_entry_user)
    mission = factories.MissionFactory(title="Original")
    change_url = admin_url(mission, "change", mission.pk)
    form = browser.get(change_url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if isinstance(value, str)}

    for url, posted in (
        (change_url, {**data, "title": "Forged"}),
        (admin_url(mission, "delete", mission.pk), {"post": "yes"}),
        (
            admin_url(mission, "changelist"),
            {"action": "mark_completed", "_selected_action": [mission.pk]},
        ),
    ):
        response = browser.post(url, posted)
        assert response.status_code == 403, url
        assert b"CSRF" in response.content
    mission.refresh_from_db()
    assert mission.title == "Original"
    assert mission.status != MissionStatus.COMPLETED
