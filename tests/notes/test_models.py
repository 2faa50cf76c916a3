"""A note: on any of the six kinds of record, at least as restricted as its record
(raised with it), refused on anything else; its attachment under the file rules of
agreement documents; a history of its versions."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.classification import Classification
from notes.models import Note
from tests import factories

pytestmark = pytest.mark.django_db

SECRET = Classification.NEED_TO_KNOW

NOTABLE = [
    factories.MissionFactory,
    factories.MeetingFactory,
    factories.AgreementFactory,
    factories.ProjectFactory,
    factories.OrganizationFactory,
    factories.PersonFactory,
]


@pytest.mark.parametrize("factory", NOTABLE)
def test_a_note_is_written_on_each_kind_of_record(factory):
    record = factory()
    note = Note(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        text="Called the embassy",
    )
    note.full_clean()
    note.save()
    assert note.target == record
    assert note.created_at is not None


def test_a_note_on_anything_else_or_nothing_is_refused():
    post = factories.PostFactory()
    note = Note(content_type=ContentType.objects.get_for_model(post), object_id=post.pk, text="x")
    with pytest.raises(ValidationError) as error:
        note.full_clean()
    assert "content_type" in error.value.message_dict
    mission = factories.MissionFactory()
    note = Note(
        content_type=ContentType.objects.get_for_model(mission), object_id=mission.pk + 1, text="x"
    )
    with pytest.raises(ValidationError) as error:
        note.full_clean()
    assert "object_id" in error.value.message_dict


def test_a_note_takes_its_records_level_and_cannot_go_below_it():
    agreement = factories.AgreementFactory(classification=SECRET)
    note = factories.NoteFactory(target=agreement)
    assert note.classification == SECRET
    note.classification = Classification.PUBLIC
    with pytest.raises(ValidationError) as error:
        note.full_clean()
    assert "classification" in error.value.message_dict


def test_raising_a_record_raises_its_notes_and_a_missions_raises_its_meetings_notes():
    mission = factories.MissionFactory()
    meeting = factories.MeetingFactory(mission=mission)
    on_mission = factories.NoteFactory(target=mission)
    on_meeting = factories.NoteFactory(target=meeting)
    project = factories.ProjectFactory()
    on_project = factories.NoteFactory(target=project)
    mission.classification = SECRET
    mission.save()
    project.classification = SECRET
    project.save()
    for note in (on_mission, on_meeting, on_project):
        note.refresh_from_db()
        assert note.classification == SECRET


def test_a_note_on_the_directory_keeps_its_own_level():
    note = factories.NoteFactory(target=factories.PersonFactory())
    assert note.classification == Classification.INTERNAL
    note.classification = Classification.PUBLIC
    note.full_clean()


def test_the_attachment_follows_the_rules_of_agreement_documents(settings):
    note = factories.NoteFactory.build(target=factories.MissionFactory(), author=None)
    note.attachment = SimpleUploadedFile("minutes.pdf", b"not a pdf at all")
    with pytest.raises(ValidationError) as error:
        note.full_clean()
    assert "attachment" in error.value.message_dict
    note.attachment = SimpleUploadedFile("minutes.docx", factories.MINIMAL_PDF)
    with pytest.raises(ValidationError) as error:
        note.full_clean()
    assert ".pdf" in str(error.value.message_dict["attachment"])
    settings.AGREEMENT_DOCUMENT_MAX_BYTES = 10
    note.attachment = SimpleUploadedFile("minutes.pdf", factories.MINIMAL_PDF)
    with pytest.raises(ValidationError) as error:
        note.full_clean()
    [too_large] = error.value.error_dict["attachment"]
    assert too_large.code == "document_too_large"
    with translation.override("en"):  # its own words, not an agreement document's
        assert "attachment may be at most" in str(too_large.message)
    settings.AGREEMENT_DOCUMENT_MAX_BYTES = 1024 * 1024
    note.full_clean()
    note.save()
    assert note.attachment.name.startswith("notes/")


def test_a_note_has_a_history():
    note = factories.NoteFactory(text="First")
    note.text = "Second"
    note.save()
    assert [row.text for row in note.history.order_by("history_date")] == ["First", "Second"]


def test_notes_are_listed_newest_first():
    mission = factories.MissionFactory()
    first = factories.NoteFactory(target=mission)
    second = factories.NoteFactory(target=mission)
    assert list(Note.objects.all()) == [second, first]
