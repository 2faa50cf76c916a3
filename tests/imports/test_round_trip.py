"""A list exported as CSV or Excel (labels, names, formula-like texts quoted) imports
back unchanged: every row found, none changed, nothing new."""

import datetime

import pytest

from contacts.models import Organization, Person
from projects.models import Project
from tests import factories
from tests.api import client_for
from tests.imports.helpers import export, imported

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "xlsx"]
# The export's headers and labels are in the reader's language: both read back.
LANGUAGES = ["ja", "en"]


@pytest.fixture(params=LANGUAGES)
def api(request, data_entry_user):
    return client_for(data_entry_user, request.param)


def assert_round_trip(api, resource, export_format, count):
    before = snapshot(resource)
    job = imported(api, resource, export(api, resource, export_format))
    assert job["errors"] == [], job["errors"]
    assert job["totals"] == {"new": 0, "updated": 0, "unchanged": count, "errors": 0}
    assert snapshot(resource) == before


def snapshot(resource):
    model = {"organizations": Organization, "people": Person, "projects": Project}[resource]
    return sorted(
        tuple(str(value) for value in row)
        for row in model.objects.values_list(
            *(f.attname for f in model._meta.concrete_fields if f.name not in ("created_at",))
        )
    )


@pytest.fixture
def directory():
    parent = factories.OrganizationFactory(name="Ministry of Roads", name_ja="道路省", country="GH")
    factories.OrganizationFactory(
        name="Department of Urban Roads",
        country="GH",
        parent=parent,
        notes="=1+1",
        website="https://example.org",
    )
    factories.OrganizationFactory(
        name="Ministry of Roads", country="TN", notes="@someone\nsecond line"
    )
    factories.JapaneseGovernmentFactory(
        name="Ministry of Land, Infrastructure, Transport and Tourism"
    )
    person = factories.PersonFactory(
        name="Kwasi", name_ja="クワシ", email="k@example.org", phone="+233 1"
    )
    factories.PostFactory(person=person, organization=parent, start_date=datetime.date(2017, 1, 10))
    factories.PersonFactory(name="-Dash", notes="+ plus")


@pytest.mark.parametrize("export_format", FORMATS)
def test_organisations(api, directory, export_format):
    assert_round_trip(api, "organizations", export_format, 4)


@pytest.mark.parametrize("export_format", FORMATS)
def test_people(api, directory, export_format):
    assert_round_trip(api, "people", export_format, 2)


@pytest.mark.parametrize("export_format", FORMATS)
def test_projects(api, directory, export_format):
    company = factories.JapaneseCompanyFactory(name="Sumitomo Mitsui Construction, Ltd.")
    lender = factories.OrganizationFactory(
        name="JICA (Japan)", country="JP", kind="japanese_public_body"
    )
    project = factories.ProjectFactory(
        name="Tema Interchange",
        country="GH",
        other_countries=["TG", "BF"],
        sector="road",
        stage="construction",
        status="won_japanese",
        awarded_on=datetime.date(2018, 3, 1),
        awarded_to=company,
        owner=Organization.objects.get(name="Ministry of Roads", country="GH"),
        estimated_cost_jpy=12_300_000_000,
        description="=SUM(A1:A3)",
        tender_due_on=datetime.date(2017, 12, 1),
    )
    factories.ProjectParticipantFactory(project=project, organization=company, role="contractor")
    factories.ProjectParticipantFactory(project=project, organization=lender, role="lender")
    factories.ProjectFactory(name="Metro Line 1", country="VN")
    assert_round_trip(api, "projects", export_format, 2)
