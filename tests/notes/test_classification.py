"""A note inherits its record's classification on every path: a note on a level-3
record is seen only by those who may read the record, in the API (list, detail,
history, export, download), search (API and page), the admin and the country brief;
and a note cannot be written on a record its writer may not read."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.classification import Classification
from notes.models import Note
from tests import factories
from tests.api import client_for, csv_rows, ids

pytestmark = pytest.mark.django_db

SECRET = Classification.NEED_TO_KNOW
LIST = reverse("api:note-list")


@pytest.fixture
def secret_note():
    """A note on a need-to-know meeting with Ghana, and an open one on another."""
    mission = factories.MissionFactory(classification=SECRET)
    meeting = factories.MeetingFactory(mission=mission, counterpart_country="GH")
    note = factories.NoteFactory(
        target=meeting,
        text="港湾の交渉 need-to-know",
        attachment=SimpleUploadedFile("minutes.pdf", factories.MINIMAL_PDF),
    )
    assert note.classification == SECRET
    return note


def test_the_api_hides_it_everywhere_until_the_reader_may_read_the_record(
    analyst_user, secret_note
):
    shown = factories.NoteFactory(
        text="港湾の調査 open", target=factories.MeetingFactory(counterpart_country="GH")
    )
    api = client_for(analyst_user)
    assert ids(api.get(LIST)) == [shown.pk]
    assert api.get(f"{LIST}{secret_note.pk}/").status_code == 404
    assert api.get(f"{LIST}{secret_note.pk}/history/").status_code == 404
    assert "need-to-know" not in str(csv_rows(api.get(LIST, {"format": "csv"})))
    assert ids(api.get(LIST, {"q": "港湾"})) == [shown.pk]
    download = reverse("notes:attachment-download", args=[secret_note.pk])
    assert client_for(analyst_user, session=True).get(download).status_code == 404

    # On the mission's access list: the meeting, and so its note, are read.
    secret_note.target.mission.access_users.add(analyst_user)
    assert ids(api.get(LIST)) == sorted([shown.pk, secret_note.pk])
    assert api.get(f"{LIST}{secret_note.pk}/history/").status_code == 200
    assert client_for(analyst_user, session=True).get(download).status_code == 200


def test_search_finds_it_only_for_who_may_read_it(analyst_user, analyst_client, secret_note):
    shown = factories.NoteFactory(text="港湾の調査 open", target=factories.PersonFactory())
    api = client_for(analyst_user)
    notes = {g["kind"]: g for g in api.get("/api/v1/search/", {"q": "港湾"}).json()["groups"]}[
        "notes"
    ]
    assert notes["count"] == 1
    [hit] = notes["results"]
    assert hit["id"] == shown.pk
    assert hit["excerpt"] == "港湾の調査 open"
    assert str(shown.target) in hit["display"]
    # The hit links to the record the note is on: its journal.
    assert hit["page"].endswith(reverse("admin:contacts_person_change", args=[shown.target.pk]))
    page = analyst_client.get(reverse("search:search"), {"q": "港湾"}).content.decode()
    assert "港湾の調査 open" in page and "need-to-know" not in page

    secret_note.target.mission.access_users.add(analyst_user)
    notes = {g["kind"]: g for g in api.get("/api/v1/search/", {"q": "港湾"}).json()["groups"]}[
        "notes"
    ]
    assert notes["count"] == 2


def test_the_country_brief_shows_the_countrys_notes_newest_first_and_hides_level_3(
    analyst_client, analyst_user, secret_note
):
    meeting = factories.MeetingFactory(counterpart_country="GH")
    older = factories.NoteFactory(target=meeting, text="Older note on the meeting")
    organization = factories.OrganizationFactory(country="GH")
    newer = factories.NoteFactory(target=organization, text="Newer note on the authority")
    person = factories.PostFactory(organization=organization).person
    newest = factories.NoteFactory(target=person, text="Newest note on its director")
    factories.NoteFactory(target=factories.MeetingFactory(counterpart_country="TN"), text="Tunisia")
    url = reverse("reports:country-brief", args=["GH"])

    response = analyst_client.get(url)
    assert [row["note"] for row in response.context["notes"]] == [newest, newer, older]
    assert response.context["totals"]["notes"] == 3
    page = response.content.decode()
    assert "Newest note on its director" in page and "need-to-know" not in page

    secret_note.target.mission.access_users.add(analyst_user)
    response = analyst_client.get(url)
    assert [row["note"] for row in response.context["notes"]] == [
        newest,
        newer,
        older,
        secret_note,
    ]
    assert "機密性3" in response.content.decode()


def test_a_note_cannot_be_written_on_a_record_the_writer_may_not_read(api):
    agreement = factories.AgreementFactory(classification=SECRET)
    response = api.post(
        LIST,
        {"target": {"type": "agreements.agreement", "id": agreement.pk}, "text": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "target" in response.json()
    assert not Note.objects.exists()


def test_a_level_3_note_on_a_person_is_read_by_its_list_only(analyst_user, data_entry_user):
    person = factories.PersonFactory()
    note = factories.NoteFactory(target=person, classification=SECRET)
    api = client_for(analyst_user)
    assert ids(api.get(LIST)) == []
    note.access_users.add(analyst_user)
    assert ids(api.get(LIST)) == [note.pk]
    assert ids(client_for(data_entry_user).get(LIST)) == []


def test_the_briefs_notes_cost_the_same_queries_however_many_there_are(analyst_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("reports:country-brief", args=["GH"])
    organization = factories.OrganizationFactory(country="GH")
    meeting = factories.MeetingFactory(counterpart_country="GH")
    person = factories.PostFactory(organization=organization).person

    def queries():
        analyst_client.get(url)  # the permission cache warmed
        with CaptureQueriesContext(connection) as captured:
            analyst_client.get(url)
        return len(captured)

    for target in (organization, meeting, person):
        factories.NoteFactory(target=target)
    few = queries()
    for target in (organization, meeting, person):
        factories.NoteFactory.create_batch(4, target=target)
    assert queries() == few
