"""A client generated from /api/schema/ with openapi-python-client, as the ministry's other
tools are written, drives a real gunicorn: it must import, send what the server takes and
read what the server answers.

Before, every write declared JSON, a form and multipart with the same schema: the
generated create modules did not import, and would have sent a mission's meetings as
multipart fields."""

import csv
import datetime
import importlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from accounts.models import APIToken
from accounts.roles import DATA_ENTRY
from missions.models import Mission
from tests import factories
from tests.servers import Gunicorn

GENERATOR = Path(sys.executable).with_name("openapi-python-client")


def generate_client(schema: dict, home: Path, package: str):
    """The package openapi-python-client makes of `schema`, imported. Its post hooks
    (ruff) are switched off: the test is of the code generated, not of its style."""
    (home / "schema.json").write_text(json.dumps(schema))
    # An Excel workbook is bytes to a client: the generator's documented override for
    # a media type it does not know (the README's integrators' section says the same).
    (home / "config.yaml").write_text(
        "post_hooks: []\n"
        "content_type_overrides:\n"
        "  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: "
        "application/octet-stream\n"
    )
    result = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(home / "schema.json"),
            "--config",
            str(home / "config.yaml"),
            "--output-path",
            str(home / package),
            "--meta",
            "none",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    # A warning means a piece of the schema the generator could not turn into code.
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(home))
    try:
        return importlib.import_module(package)
    finally:
        sys.path.remove(str(home))


def modules(package, *names):
    return [importlib.import_module(f"{package.__name__}.{name}") for name in names]


@pytest.mark.django_db(transaction=True)
def test_a_generated_client_lists_creates_updates_and_downloads(api, tmp_path):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    client_package = generate_client(schema, tmp_path, "mlit_client")
    # Every module of every operation imports (a create module that did not was the bug).
    for path in sorted((tmp_path / "mlit_client" / "api").glob("*/*.py")):
        if path.name != "__init__.py":
            importlib.import_module(f"mlit_client.api.{path.parent.name}.{path.stem}")

    user = factories.UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=DATA_ENTRY))
    token = APIToken(name="generated client", user=user, can_write=True)
    key = token.issue_key()
    token.save()
    leader = factories.PersonFactory(name="Minister Demo")
    wanted = factories.MeetingFactory(
        counterpart_country="GH",
        mission=factories.MissionFactory(start_date=datetime.date(2019, 8, 28)),
    )
    factories.MeetingFactory(  # same country, another year
        counterpart_country="GH",
        mission=factories.MissionFactory(start_date=datetime.date(2018, 5, 1)),
    )
    factories.MeetingFactory(  # same year, another country
        counterpart_country="KE",
        mission=factories.MissionFactory(start_date=datetime.date(2019, 8, 28)),
    )

    (
        client_module,
        meetings_list,
        missions_create,
        missions_retrieve,
        missions_partial_update,
        exports_create,
        exports_download,
    ) = modules(
        client_package,
        "client",
        "api.meetings.meetings_list",
        "api.missions.missions_create",
        "api.missions.missions_retrieve",
        "api.missions.missions_partial_update",
        "api.exports.exports_create",
        "api.exports.exports_download_retrieve",
    )
    models = importlib.import_module("mlit_client.models")

    with Gunicorn("--workers", "1", home=tmp_path) as server:
        client = client_module.AuthenticatedClient(
            base_url=server.url, token=key, prefix="Token", headers={"Accept-Language": "en"}
        )

        # Meetings in Ghana in 2019.
        page = meetings_list.sync(client=client, country=["GH"], year=2019)
        assert isinstance(page, models.PaginatedMeetingList), page
        assert [meeting.id for meeting in page.results] == [wanted.pk]

        # A mission with its meetings, as one JSON body.
        body = models.MissionCreateRequest.from_dict(
            {
                "title": "Visit to Ghana",
                "leader": leader.pk,
                "leader_rank": "minister",
                "kind": "overseas_visit",
                "start_date": "2019-08-28",
                "end_date": "2019-08-30",
                "meetings": [
                    {"date": "2019-08-28", "counterpart_country": "GH", "topics": "Roads"},
                    {"date": "2019-08-29", "counterpart_country": "GH", "topics": "Ports"},
                ],
            }
        )
        created = missions_create.sync_detailed(client=client, body=body)
        assert created.status_code == 201, created.content
        mission = created.parsed
        assert isinstance(mission, models.Mission), created.content
        assert len(mission.meetings) == 2
        assert {meeting.display for meeting in mission.meetings}  # {id, url, display}

        # PATCH with the ETag read; then again with the same, now stale, ETag.
        read = missions_retrieve.sync_detailed(client=client, id=mission.id)
        etag = read.headers["ETag"]
        patch = models.PatchedMissionRequest.from_dict({"summary": "Agreed to follow up."})
        updated = missions_partial_update.sync_detailed(
            client=client, id=mission.id, body=patch, if_match=etag
        )
        assert updated.status_code == 200, updated.content
        assert updated.parsed.summary == "Agreed to follow up."
        stale = missions_partial_update.sync_detailed(
            client=client,
            id=mission.id,
            body=models.PatchedMissionRequest.from_dict({"summary": "Overwritten"}),
            if_match=etag,
        )
        assert stale.status_code == 412, stale.content
        assert isinstance(stale.parsed, models.Error)
        assert "changed since you read it" in stale.parsed.detail

        # A CSV of the meetings of Ghana, through the export the client asks for.
        job = exports_create.sync(
            client=client,
            body=models.ExportRequestRequest.from_dict(
                {"resource": "meetings", "format": "csv", "filters": {"country": ["GH"]}}
            ),
        )
        assert isinstance(job, models.ExportJob), job
        assert job.status == models.ExportJobStatusEnum.DONE
        download = exports_download.sync_detailed(client=client, id=job.id)
        assert download.status_code == 200
        assert download.headers["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
        assert len(rows) == 1 + 4  # the header, two demo-free meetings and the two created

        # And the list itself as CSV, which the schema declares as text/csv.
        listed = client.get_httpx_client().get(
            "/api/v1/meetings/", params={"country": "GH", "year": 2019, "format": "csv"}
        )
        assert listed.status_code == 200
        assert listed.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert len(list(csv.reader(io.StringIO(listed.text.lstrip("\ufeff"))))) == 1 + 3

    # The server's writes, seen from here: one mission, its summary from the first PATCH.
    if Mission.objects.filter(title="Visit to Ghana").exists():  # PostgreSQL: one database
        assert Mission.objects.get(title="Visit to Ghana").summary == "Agreed to follow up."
