import datetime

from django.db import models
from django.db.models import Case, Value, When
from django.utils.translation import gettext_lazy as _

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
