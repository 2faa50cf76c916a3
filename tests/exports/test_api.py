"""Exports built in the background: asked for with POST /api/v1/exports/ (202), followed
with GET, downloaded by their owner only, with exactly the rows and columns of the list
endpoint's own export."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import APIToken
from accounts.roles import ANALYST
from exports import services
from exports.choices import ExportStatus
from exports.models import ExportJob
from exports.services import export_build, exports_purge_expired
from tests import factories

pytestmark = pytest.mark.django_db

EXPORTS = "/api/v1/exports/"


def api_for(user, language="ja"):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def analyst(username="analyst-2"):
    user = factories.UserFactory(username=username)
    user.groups.add(Group.objects.get(name=ANALYST))
    return user


def content_of(response):
    return b"".join(response.streaming_content)


def xlsx_rows(content):
    workbook = load_workbook(io.BytesIO(content))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


@pytest.fixture
def meetings():
    mission = factories.MissionFactory(title="Minister's visit to Viet Nam")
    return [
        factories.MeetingFactory(mission=mission, counterpart_country="VN", topics="Metro Line 1"),
        factories.MeetingFactory(mission=mission, counterpart_country="VN", topics="Port"),
        factories.MeetingFactory(mission=mission, counterpart_country="TH", venue_country="TH"),
    ]


def ask(client, capture, **body):
    """POST the request; the job is built when the request's transaction commits."""
    with capture(execute=True):
        return client.post(EXPORTS, body, format="json")


def test_an_analyst_exports_meetings_as_xlsx_with_the_list_endpoints_rows(
    analyst_user, meetings, django_capture_on_commit_callbacks
):
    client = api_for(analyst_user)
    response = ask(
        client,
        django_capture_on_commit_callbacks,
        resource="meetings",
        format="xlsx",
        filters={"country": ["VN"], "ordering": "id"},
    )
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["status"] == "pending"
    assert job["filters"] == {"country": "VN", "ordering": "id"}
    assert response["Location"] == job["url"]

    followed = client.get(job["url"]).json()
    assert (followed["status"], followed["progress"], followed["row_count"]) == ("done", 100, 2)
    assert followed["status_label"] == "作成済み"
    download = client.get(followed["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="meeting-')

    listed = client.get("/api/v1/meetings/", {"format": "xlsx", "country": "VN", "ordering": "id"})
    rows = xlsx_rows(content_of(download))
    assert rows == xlsx_rows(content_of(listed))
    assert len(rows) == 3  # the headers and two meetings
    assert rows[0][0] == "日付"


def test_csv_in_english_is_the_list_endpoints_csv(
    analyst_user, meetings, django_capture_on_commit_callbacks
):
    client = api_for(analyst_user, language="en")
    job = ask(
        client,
        django_capture_on_commit_callbacks,
        resource="meetings",
        format="csv",
        filters={"q": "Metro"},
    ).json()
    exported = content_of(client.get(client.get(job["url"]).json()["download_url"]))
    listed = content_of(client.get("/api/v1/meetings/", {"format": "csv", "q": "Metro"}))
    assert exported == listed
    rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert rows[0][0] == "date" and len(rows) == 2


def test_only_the_owner_sees_and_downloads_an_export(
    analyst_user, meetings, django_capture_on_commit_callbacks
):
    job = ask(
        api_for(analyst_user),
        django_capture_on_commit_callbacks,
        resource="meetings",
        format="csv",
    ).json()
    someone_else = api_for(analyst())
    assert someone_else.get(job["url"]).status_code == 404
    assert someone_else.get(f"{job['url']}download/").status_code == 404
    assert someone_else.get(EXPORTS).json()["count"] == 0
    assert api_for(analyst_user).get(EXPORTS).json()["count"] == 1
    assert APIClient().get(f"{job['url']}download/").status_code == 401


def test_exporting_needs_the_right_to_view_the_list(django_capture_on_commit_callbacks):
    nobody = factories.UserFactory()
    response = ask(
        api_for(nobody), django_capture_on_commit_callbacks, resource="meetings", format="csv"
    )
    assert response.status_code == 403
    assert ExportJob.objects.count() == 0


def test_a_read_only_token_may_export(django_capture_on_commit_callbacks, meetings):
    token = APIToken(name="BI tool", user=analyst(), can_write=False)
    key = token.issue_key()
    token.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = ask(client, django_capture_on_commit_callbacks, resource="missions", format="csv")
    assert response.status_code == 202


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"resource": "users", "format": "csv"}, "resource"),
        ({"resource": "exports", "format": "csv"}, "resource"),
        ({"resource": "meetings", "format": "pdf"}, "format"),
        ({"resource": "meetings", "format": "csv", "filters": {"contry": "VN"}}, "filters"),
        ({"resource": "meetings", "format": "csv", "filters": {"country": "XX"}}, "filters"),
        ({"resource": "meetings", "format": "csv", "filters": {"fiscal_year": "soon"}}, "filters"),
        ({"resource": "meetings", "format": "csv", "filters": {"q": {"nested": 1}}}, "filters"),
        ({"resource": "meetings", "format": "csv", "filters": {"q": "a\x00b"}}, "filters"),
        ({"resource": "meetings", "format": "csv", "filters": {"country": []}}, "filters"),
        ({"resource": "meetings", "format": "csv", "filters": ["country"]}, "filters"),
    ],
)
def test_a_wrong_request_is_a_400_naming_what_is_wrong(
    analyst_user, django_capture_on_commit_callbacks, body, field
):
    response = ask(api_for(analyst_user), django_capture_on_commit_callbacks, **body)
    assert response.status_code == 400
    assert field in response.json()
    assert ExportJob.objects.count() == 0


def test_the_filter_named_wrong_is_named_in_the_error(
    analyst_user, django_capture_on_commit_callbacks
):
    response = ask(
        api_for(analyst_user),
        django_capture_on_commit_callbacks,
        resource="meetings",
        format="csv",
        filters={"contry": "VN", "fiscal_year": 2019},
    )
    assert list(response.json()["filters"]) == ["contry"]


def test_download_before_it_is_ready_is_a_409_and_after_it_expires_a_410(analyst_user):
    client = api_for(analyst_user)
    response = client.post(EXPORTS, {"resource": "missions", "format": "csv"}, format="json")
    job = ExportJob.objects.get()  # the on-commit build never ran: still waiting
    assert client.get(f"{response.json()['url']}download/").status_code == 409

    export_build(job_id=job.pk)
    job.refresh_from_db()
    assert client.get(f"{response.json()['url']}download/").status_code == 200
    job.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    job.save()
    assert client.get(f"{response.json()['url']}download/").status_code == 410


def test_expired_exports_lose_their_file_and_record(analyst_user, settings):
    settings.EXPORT_TTL_HOURS = 24
    job = services.export_job_create(
        user=analyst_user, resource="missions", format="csv", query="", language="ja"
    )
    export_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.expires_at - job.finished_at == datetime.timedelta(hours=24)
    storage, name = job.file.storage, job.file.name
    assert storage.exists(name)

    assert exports_purge_expired(now=job.expires_at - datetime.timedelta(seconds=1)) == 0
    assert exports_purge_expired(now=job.expires_at + datetime.timedelta(seconds=1)) == 1
    assert not storage.exists(name)
    assert not ExportJob.objects.exists()


def test_a_job_left_running_by_a_dead_worker_is_built_again_and_a_done_one_is_not(
    analyst_user, meetings
):
    job = services.export_job_create(
        user=analyst_user, resource="meetings", format="csv", query="country=TH", language="en"
    )
    job.status = ExportStatus.RUNNING
    job.file.save("partial.csv", ContentFile(b"half a fi"), save=True)
    partial = job.file.name

    export_build(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.row_count) == (ExportStatus.DONE, 1)
    assert job.file.name != partial and not job.file.storage.exists(partial)

    finished_at = job.finished_at
    export_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.finished_at == finished_at


def test_a_user_who_may_no_longer_view_the_list_gets_a_failed_job(analyst_user):
    job = services.export_job_create(
        user=analyst_user, resource="missions", format="csv", query="", language="en"
    )
    analyst_user.groups.clear()
    export_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.error == "You are no longer allowed to view these records."
    assert not job.file


def test_progress_is_written_as_rows_are_read(analyst_user, monkeypatch):
    monkeypatch.setattr(services, "EXPORT_CHUNK", 4)  # a progress write per row
    job = services.export_job_create(
        user=analyst_user, resource="missions", format="csv", query="", language="en"
    )
    seen = []
    rows = iter([["the header"], *([index] for index in range(10))])
    for _row in services._progress(rows, 10, job.pk):
        seen.append(ExportJob.objects.get(pk=job.pk).progress)
    assert seen == [0, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90]


def test_the_admin_lists_exports_for_administrators(client, administrator_user, analyst_user):
    services.export_job_create(
        user=analyst_user, resource="missions", format="csv", query="", language="en"
    )
    client.force_login(administrator_user)
    assert client.get("/admin/exports/exportjob/").status_code == 200


def test_a_user_who_may_no_longer_view_the_list_cannot_download_its_export(
    analyst_user, meetings, django_capture_on_commit_callbacks
):
    job = ask(
        api_for(analyst_user),
        django_capture_on_commit_callbacks,
        resource="meetings",
        format="csv",
    ).json()
    assert api_for(analyst_user).get(f"{job['url']}download/").status_code == 200
    analyst_user.groups.clear()
    analyst_user.user_permissions.add(Permission.objects.get(codename="view_mission"))
    analyst_user = type(analyst_user).objects.get(pk=analyst_user.pk)  # no cached rights

    response = api_for(analyst_user).get(f"{job['url']}download/")
    assert response.status_code == 403
    assert response.json()["detail"] == "このレコードを閲覧する権限がなくなりました。"


@pytest.mark.django_db
def test_the_list_of_exports_refuses_a_parameter_it_does_not_take_and_speaks_japanese(
    django_capture_on_commit_callbacks,
):
    client = api_for(analyst())
    response = client.get(EXPORTS, {"resource": "meetings"})
    assert response.status_code == 400
    assert response.json() == {"resource": ["そのようなパラメータはありません。"]}
    assert client.get(EXPORTS, {"page_size": 10}).status_code == 200
