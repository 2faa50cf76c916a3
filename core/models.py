import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Value, When
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import folding
from core.sectors import SectorCode

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MICROSECOND = datetime.timedelta(microseconds=1)


class TimeStampedModel(models.Model):
    """Every record says when it was created and last changed (for sync and audit)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        abstract = True

    @property
    def version(self) -> str:
        """Changes whenever the record is saved: the ETag of the API and the hidden
        field with which the admin refuses to overwrite someone else's edit."""
        return f"{self.pk}-{(self.updated_at - EPOCH) // MICROSECOND}"

    def claim_version(self, version: str) -> bool:
        """Take the row for this transaction if it is still at `version`, else False.

        One conditional UPDATE, so that of two writers who read the same version exactly
        one wins: PostgreSQL re-checks the WHERE after the other's commit, and SQLite
        lets one writer at a time."""
        pk, _, stamp = version.partition("-")
        # ASCII digits only ("²".isdigit() is true, yet int() refuses it).
        if pk != str(self.pk) or not (stamp.isascii() and stamp.isdigit()):
            return False
        try:
            updated_at = EPOCH + int(stamp) * MICROSECOND
        except (OverflowError, ValueError):
            # Beyond the dates Python holds (or int()'s limit on digits): no row is
            # at that version, so the claim fails like any other stale one.
            return False
        rows = type(self)._default_manager.filter(pk=self.pk, updated_at=updated_at)
        return rows.update(updated_at=updated_at) == 1


class Sector(models.Model):
    """One row per sector code, so that missions and agreements can cover several
    sectors through an ordinary many-to-many relation that filters on any database.
    The rows are fixed by a data migration from SectorCode."""

    code = models.CharField(_("code"), max_length=32, primary_key=True, choices=SectorCode.choices)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        # The vocabulary's order (railway, road, port... その他 last), the same in the
        # admin's check boxes, a record's sectors in the API and the analysts' pages.
        ordering = [
            Case(
                *(When(code=code, then=Value(index)) for index, code in enumerate(SectorCode)),
                default=Value(len(SectorCode)),
            ),
            "code",
        ]

    def __str__(self):
        return str(SectorCode(self.code).label)


# What separates tags in a spreadsheet's cell ("港湾, Ghana ports"): a tag cannot hold it.
TAG_SEPARATOR = ","
TAG_MAX_LENGTH = 100


def validate_tag_name(name):
    # Full-width ， is a comma as names compare (NFKC).
    if TAG_SEPARATOR in folding.fold(name):
        raise ValidationError(
            _("A tag cannot hold a comma: it separates tags in spreadsheets."), code="comma"
        )


class Tag(TimeStampedModel):
    """A free label analysts put on missions, meetings, agreements, projects and
    organisations (「港湾」, "Ghana ports") to find them together. Anyone who enters
    records may add one; renaming and merging them is an administrator's (core.tags).
    A tag is not secret: the records it is on are read as each record is."""

    name = models.CharField(_("name"), max_length=TAG_MAX_LENGTH, validators=[validate_tag_name])
    # The name as names compare (core.folding.name_key): half-width ｺｳﾜﾝ is コウワン and
    # "GHANA  Ports" is "ghana ports": one tag, whatever the width, case or spaces typed.
    name_key = models.CharField(
        _("name as compared"), max_length=TAG_MAX_LENGTH, editable=False, unique=True
    )

    # name_key follows name: its history is the name's.
    history = HistoricalRecords(excluded_fields=["name_key"])

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name_key"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = " ".join(self.name.split())
        self.name_key = folding.name_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        if isinstance(self.name, str):
            self.name = " ".join(self.name.split())
        super().clean_fields(exclude=exclude)

    def validate_unique(self, exclude=None):
        # name_key is in no form: it is checked whenever the name it comes from is.
        self.name_key = folding.name_key(self.name or "")
        exclude = set(exclude or ())
        if "name" in exclude:  # a name refused already: nothing to look up
            exclude.add("name_key")
        else:
            exclude.discard("name_key")
        try:
            super().validate_unique(exclude=exclude)
        except ValidationError as error:
            if "name_key" in error.error_dict:
                raise ValidationError(
                    {"name": _("A tag with this name already exists.")}, code="unique"
                ) from error
            raise
