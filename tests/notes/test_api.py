"""/api/v1/notes/: written on any of the six kinds of record as `{type, id}`, by its
author (the server's), with an attachment in multipart, downloaded through a
permission-checked URL; one record's journal newest first; a fixed number of queries."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from notes.models import Note
from tests import factories
from tests.api import client_for, count_list_queries, csv_rows, ids

pytestmark = pytest.mark.django_db

LIST = reverse("api:note-list")
# count, page (author joined), then one per kind of record on the page (three here).
NOTE_LIST_QUERIES = 5


def detail(note):
    return reverse("api:note-detail", args=[note.pk])


@pytest.mark.parametrize(
    ("factory", "target_type", "api_name"),
    [
        (factories.MissionFactory, "missions.mission", "mission"),
        (factories.MeetingFactory, "missions.meeting", "meeting"),
        (factories.AgreementFactory, "agreements.agreement", "agreement"),
        (factories.ProjectFactory, "projects.project", "project"),
        (factories.OrganizationFactory, "contacts.organization", "organization"),
        (factories.PersonFactory, "contacts.person", "person"),
    ],
)
def test_a_note_is_written_on_every_kind_of_record(
    api, data_entry_user, factory, target_type, api_name
):
    record = factory()
    response = api.post(
        LIST,
        {"target": {"type": target_type, "id": record.pk}, "text": "Called the embassy"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["target"] == {
        "type": target_type,
        "id": record.pk,
        "url": f"http://testserver{reverse(f'api:{api_name}-detail', args=[record.pk])}",
        "display": str(record),
    }
    assert body["author"]["id"] == data_entry_user.pk
    assert body["text"] == "Called the embassy"
    assert body["download_url"] is None and body["attachment_name"] == ""
    assert Note.objects.get().author == data_entry_user


def test_the_author_is_the_writer_whatever_is_sent(api, data_entry_user):
    other = factories.UserFactory()
    mission = factories.MissionFactory()
    response = api.post(
        LIST,
        {
            "target": {"type": "missions.mission", "id": mission.pk},
            "text": "x",
            "author": other.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Note.objects.get().author == data_entry_user


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target": {"type": "contacts.post", "id": 1}, "text": "x"}, "target"),
        ({"target": {"type": "missions.mission", "id": 999999}, "text": "x"}, "target"),
        ({"target": {"type": "missions.mission"}, "text": "x"}, "target"),
        ({"text": "x"}, "target"),
        ("MISSION", "text"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, body, field):
    mission = factories.MissionFactory()
    if body == "MISSION":
        body = {"target": {"type": "missions.mission", "id": mission.pk}, "text": ""}
    response = api.post(LIST, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Note.objects.exists()


def test_an_attachment_is_uploaded_and_downloaded_with_the_apis_credentials(
    api, analyst_user, client
):
    meeting = factories.MeetingFactory()
    response = api.post(
        LIST,
        {
            "target.type": "missions.meeting",
            "target.id": meeting.pk,
            "text": "Minutes attached",
            "attachment": SimpleUploadedFile("minutes.pdf", factories.MINIMAL_PDF),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    note = Note.objects.get()
    path = reverse("notes:attachment-download", args=[note.pk])
    assert body["download_url"] == f"http://testserver{path}"
    assert body["attachment_name"] == "minutes.pdf"
    assert "attachment" not in body
    # A reader signed in downloads it, typed by its content.
    response = client_for(analyst_user, session=True).get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == factories.MINIMAL_PDF
    # Anonymous: to the login page; no role: refused.
    assert client.get(path).status_code == 302
    assert client_for(factories.UserFactory(), session=True).get(path).status_code == 403


def test_the_download_takes_an_api_token(client, analyst_user):
    from accounts.models import APIToken

    note = factories.NoteFactory(
        attachment=SimpleUploadedFile("minutes.pdf", factories.MINIMAL_PDF)
    )
    token = APIToken(name="integration", user=analyst_user)
    key = token.issue_key()
    token.save()
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    record = client.get(detail(note), **auth).json()
    response = client.get(record["download_url"], **auth)
    assert response.status_code == 200, response.content
    assert b"".join(response.streaming_content) == factories.MINIMAL_PDF
    response = client.get(record["download_url"], HTTP_AUTHORIZATION="Token wrong")
    assert response.status_code == 401 and response.json()["detail"]
    # A note without a file has nothing to download.
    bare = factories.NoteFactory()
    url = reverse("notes:attachment-download", args=[bare.pk])
    assert client.get(url, **auth).status_code == 404


def test_a_bad_attachment_is_a_400_and_nothing_is_saved(api):
    mission = factories.MissionFactory()
    response = api.post(
        LIST,
        {
            "target.type": "missions.mission",
            "target.id": mission.pk,
            "text": "x",
            "attachment": SimpleUploadedFile("minutes.pdf", b"<html>not a pdf</html>"),
        },
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert "attachment" in response.json()
    assert not Note.objects.exists()


def test_one_records_journal_newest_first(analyst_api):
    mission = factories.MissionFactory()
    older = factories.NoteFactory(target=mission)
    newer = factories.NoteFactory(target=mission)
    factories.NoteFactory(target=factories.MissionFactory())
    factories.NoteFactory(target=factories.PersonFactory())
    response = analyst_api.get(LIST, {"target_type": "missions.mission", "target_id": mission.pk})
    assert [row["id"] for row in response.json()["results"]] == [newer.pk, older.pk]
    assert len(ids(analyst_api.get(LIST, {"type": "contacts.person"}))) == 1
    response = analyst_api.get(LIST, {"target_id": mission.pk})
    assert response.status_code == 400 and "target_id" in response.json()


def test_edit_history_and_delete(api):
    note = factories.NoteFactory(text="First")
    response = api.patch(detail(note), {"text": "Second"}, format="json")
    assert response.status_code == 200, response.content
    history = api.get(f"{detail(note)}history/")
    assert history.status_code == 200
    assert len(history.json()) == 2
    assert api.delete(detail(note)).status_code == 204
    assert not Note.objects.exists()


def test_an_analyst_reads_but_does_not_write(analyst_api):
    mission = factories.MissionFactory()
    response = analyst_api.post(
        LIST,
        {"target": {"type": "missions.mission", "id": mission.pk}, "text": "x"},
        format="json",
    )
    assert response.status_code == 403


def test_export_and_search(analyst_api):
    factories.NoteFactory(text="港湾の調査について大使館に電話", target=factories.PersonFactory())
    factories.NoteFactory(text="Road survey")
    assert len(ids(analyst_api.get(LIST, {"q": "港湾"}))) == 1
    rows = csv_rows(analyst_api.get(LIST, {"format": "csv"}))
    assert len(rows) == 3
    assert "港湾の調査について大使館に電話" in str(rows)


def test_the_list_runs_a_fixed_number_of_queries(analyst_user):
    for factory in (factories.MissionFactory, factories.PersonFactory, factories.ProjectFactory):
        for _ in range(3):
            factories.NoteFactory(target=factory())
    queries, body = count_list_queries(analyst_user, LIST)
    assert len(body["results"]) == 9
    assert queries == NOTE_LIST_QUERIES
