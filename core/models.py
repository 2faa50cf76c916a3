from django.db import models
from django.utils.translation import gettext_lazy as _

from core.sectors import SectorCode


class TimeStampedModel(models.Model):
    """Every record says when it was created and last changed (for sync and audit)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        abstract = True


class Sector(models.Model):
    """One row per sector code, so that missions and agreements can cover several
    sectors through an ordinary many-to-many relation that filters on any database.
    The rows are fixed by a data migration from SectorCode."""

    code = models.CharField(_("code"), max_length=32, primary_key=True, choices=SectorCode.choices)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["code"]

    def __str__(self):
        return str(SectorCode(self.code).label)
