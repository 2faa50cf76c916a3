"""The OC4IDS package of the demo data, valid against the official OC4IDS 0.9.5 schema
(offline), from the API and from `manage.py export_oc4ids`. A module of its own: the
demo data stay loaded for the module's tests."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from projects.models import Project
from tests.api import client_for
from tests.reports.test_oc4ids import FEED, codes, errors_of


@pytest.mark.django_db
def test_the_demo_datas_package_is_valid_oc4ids(demo_data, administrator_user):
    response = client_for(administrator_user).get(FEED)
    assert response.status_code == 200
    assert response.streaming  # written as read, never built whole
    package = json.loads(b"".join(response.streaming_content))

    assert errors_of(package) == []
    # The demo's watch-list projects are 機密性1; the level-3 demo records are not.
    assert len(package["projects"]) == Project.objects.filter(classification=1).count() > 80
    assert package["version"] == "0.9"
    assert package["uri"] == "http://testserver/api/v1/oc4ids/"
    projects = package["projects"]
    assert {p["status"] for p in projects} <= codes("projectStatus.csv")
    assert {s for p in projects for s in p.get("sector", ())} <= codes("projectSector.csv")
    assert {r for p in projects for party in p["parties"] for r in party["roles"]} <= codes(
        "partyRole.csv"
    )
    # The TICAD7 MoCs and meetings (announced, 機密性1) appear under their projects.
    documents = {d["title"] for p in projects for d in p.get("documents", ())}
    assert "Memorandum of Cooperation between MLIT and the Ministry of Roads" in " ".join(documents)
    assert any(p.get("lobbyingMeetings") for p in projects)


@pytest.mark.django_db
def test_export_oc4ids_writes_the_same_package(demo_data, tmp_path):
    target = tmp_path / "projects.json"
    call_command("export_oc4ids", str(target), stderr=StringIO())
    package = json.loads(target.read_text())
    assert errors_of(package) == []
    assert len(package["projects"]) == Project.objects.filter(classification=1).count() > 80
    assert package["uri"] == f"{settings.SITE_URL}/api/v1/oc4ids/"
    assert not (tmp_path / "projects.json.partial").exists()
