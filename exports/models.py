from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from exports.choices import ExportFormat, ExportStatus


def export_file_path(job, filename):
    return f"exports/{job.user_id}/{job.pk}/{filename}"


class ExportJob(models.Model):
    """A spreadsheet of a whole filtered list, built in the background because it
    would take too long to wait for; only the user who asked for it downloads it, until
    it expires."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    resource = models.CharField(
        _("resource"), max_length=64, help_text=_("The API list exported, e.g. meetings.")
    )
    format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    query = models.TextField(
        _("filters"), blank=True, help_text=_("The list's filters, as a query string.")
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the headers and labels."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ExportStatus.choices,
        default=ExportStatus.PENDING,
        db_index=True,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=export_file_path, blank=True, max_length=300)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("expires at"), db_index=True, help_text=_("The file and this record are deleted then.")
    )

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="export_progress_at_most_100",
                violation_error_message=_("Progress is a percentage."),
            ),
        ]

    def __str__(self):
        return f"{self.resource} ({self.get_format_display()}) {self.created_at:%Y-%m-%d %H:%M}"
