"""Notes in the admin: written at the foot of each of the six records' pages, their
author and time set by the page, newest first; their own page keeps the history; the
attachment links to its permission-checked download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.classification import Classification
from notes.models import Note
from tests import factories
from tests.admin_pages import posted_back

pytestmark = pytest.mark.django_db

NOTED = {
    "missions_mission": factories.MissionFactory,
    "missions_meeting": factories.MeetingFactory,
    "agreements_agreement": factories.AgreementFactory,
    "projects_project": factories.ProjectFactory,
    "contacts_organization": factories.OrganizationFactory,
    "contacts_person": factories.PersonFactory,
}


def _note_rows(page):
    [inline] = [
        inline for inline in page.context["inline_admin_formsets"] if inline.formset.model is Note
    ]
    return inline.formset


@pytest.mark.parametrize("admin_name", sorted(NOTED))
def test_a_note_is_written_at_the_foot_of_its_records_page(
    data_entry_client, data_entry_user, admin_name
):
    record = NOTED[admin_name]()
    earlier = factories.NoteFactory(target=record, text="Earlier")
    url = reverse(f"admin:{admin_name}_change", args=[record.pk])
    page = data_entry_client.get(url)
    # The journal is the page's last inline.
    assert page.context["inline_admin_formsets"][-1].formset.model is Note
    formset = _note_rows(page)
    prefix = formset.prefix
    data = posted_back(page)
    new_row = len(formset.forms) - 1  # the empty row after the existing notes
    data |= {
        f"{prefix}-{new_row}-text": "Called the embassy about the survey",
        f"{prefix}-{new_row}-attachment": SimpleUploadedFile("memo.pdf", factories.MINIMAL_PDF),
    }

    response = data_entry_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    note = Note.objects.exclude(pk=earlier.pk).get()
    assert note.target == record
    assert note.author == data_entry_user
    assert note.text == "Called the embassy about the survey"
    assert note.attachment.name.endswith("/memo.pdf")
    # Newest first on the page, with the download linked.
    page = data_entry_client.get(url)
    assert [form.instance for form in _note_rows(page).initial_forms] == [note, earlier]
    assert reverse("notes:attachment-download", args=[note.pk]) in page.text
    assert "Called the embassy about the survey" in page.text


def test_a_bad_attachment_saves_nothing_of_the_page(data_entry_client):
    mission = factories.MissionFactory(title="Before")
    url = reverse("admin:missions_mission_change", args=[mission.pk])
    page = data_entry_client.get(url)
    prefix = _note_rows(page).prefix
    data = posted_back(page) | {
        "title": "After",
        f"{prefix}-0-text": "x",
        f"{prefix}-0-attachment": SimpleUploadedFile("memo.pdf", b"<html>"),
    }
    response = data_entry_client.post(url, data)
    assert response.status_code == 200
    assert _note_rows(response).errors[0]
    mission.refresh_from_db()
    assert mission.title == "Before"
    assert not Note.objects.exists()


def test_the_author_is_not_typed_in(data_entry_client):
    page = data_entry_client.get(
        reverse("admin:missions_mission_change", args=[factories.MissionFactory().pk])
    )
    form = _note_rows(page).forms[0]
    assert "author" not in form.fields and "created_at" not in form.fields


def test_the_notes_own_pages_list_search_and_keep_history(data_entry_client):
    note = factories.NoteFactory(text="港湾の調査について電話", target=factories.PersonFactory())
    factories.NoteFactory(text="Road survey")
    changelist = reverse("admin:notes_note_changelist")
    response = data_entry_client.get(changelist, {"q": "港湾"})
    assert list(response.context["cl"].result_list) == [note]
    assert (
        data_entry_client.get(reverse("admin:notes_note_history", args=[note.pk])).status_code
        == 200
    )


def test_a_level_3_note_is_hidden_from_who_may_not_read_its_record(analyst_client, analyst_user):
    mission = factories.MissionFactory(classification=Classification.NEED_TO_KNOW)
    hidden = factories.NoteFactory(target=mission, text="Need-to-know call")
    shown = factories.NoteFactory(text="Open call")
    changelist = reverse("admin:notes_note_changelist")
    assert list(analyst_client.get(changelist).context["cl"].result_list) == [shown]
    assert analyst_client.get(reverse("admin:notes_note_change", args=[hidden.pk])).status_code in (
        302,
        404,
    )
    assert (
        analyst_client.get(reverse("admin:notes_note_history", args=[hidden.pk])).status_code == 404
    )
    mission.access_users.add(analyst_user)
    assert set(analyst_client.get(changelist).context["cl"].result_list) == {hidden, shown}
