import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements.models import Agreement
from agreements.validators import validate_attachment
from contacts.models import Organization, Person
from core.classification import AttachedRecord, ParentLink
from core.models import TimeStampedModel
from missions.models import Meeting, Mission
from notes.choices import NOTABLE_MODELS
from projects.models import Project

# The models of NOTABLE_MODELS, in its order.
NOTABLE = (Mission, Meeting, Agreement, Project, Organization, Person)


def notable_content_types():
    query = Q()
    for app_label, model in NOTABLE_MODELS:
        query |= Q(app_label=app_label, model=model)
    return query


def note_attachment_path(note, filename):
    # A random folder per file, as an agreement's documents: the address cannot be
    # guessed, and the file keeps its own name for the download.
    return f"notes/{uuid.uuid4().hex}/{filename}"


class Note(AttachedRecord, TimeStampedModel):
    """A dated entry in a record's journal (メモ): who wrote what, when, on a mission,
    meeting, agreement, project, organisation or person, with a file if need be. As
    restricted as the record it is on, at least."""

    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("record type"),
        on_delete=models.PROTECT,
        limit_choices_to=notable_content_types,
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    target = GenericForeignKey("content_type", "object_id")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notes",
    )
    text = models.TextField(_("text"))
    attachment = models.FileField(
        _("attachment"),
        upload_to=note_attachment_path,
        max_length=255,
        blank=True,
        validators=[validate_attachment],
        help_text=_("Optional. PDF, Word, Excel, PowerPoint, PNG or JPEG."),
    )

    history = HistoricalRecords()

    class Meta:
        # "notes" is the directory's free-text field (備考): these are a journal's.
        verbose_name = _("journal note")
        verbose_name_plural = _("journal notes")
        # A journal: the newest first.
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "-created_at"], name="note_target_idx"
            ),
            models.Index(fields=["updated_at", "id"], name="note_sync_idx"),
        ]

    def __str__(self):
        return Truncator(" ".join(self.text.split())).chars(60)

    @property
    def attachment_filename(self) -> str:
        """The file's own name, without the folder it is stored in."""
        return self.attachment.name.rsplit("/", 1)[-1] if self.attachment else ""

    @classmethod
    def classification_parents(cls):
        # The record it is on, one kind of record after the other. The directory
        # (organisations, people) has no classification: it is read by all who may view
        # it, and is never level 3.
        return tuple(ParentLink(model, "object_id", "content_type") for model in NOTABLE)

    def clean(self):
        super().clean()
        if not self.content_type_id:
            return
        key = (self.content_type.app_label, self.content_type.model)
        if key not in NOTABLE_MODELS:
            raise ValidationError(
                {
                    "content_type": _(
                        "Notes are written on missions, meetings, agreements, projects, "
                        "organisations or people."
                    )
                }
            )
        if (
            self.object_id is not None
            and not self.content_type.model_class()
            ._default_manager.filter(pk=self.object_id)
            .exists()
        ):
            raise ValidationError({"object_id": _("There is no such record.")})
