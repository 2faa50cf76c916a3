"""The admin's import pages (upload → preview → confirm), one per kind, on the record's
own list: django-import-export's ImportMixin added to each kind's admin here, so that
the domain apps do not depend on this one. Data entry and Administrator only (the
permissions to add and change the kind's records)."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from import_export.admin import ImportMixin
from import_export.formats.base_formats import Format

from imports.choices import ImportStatus
from imports.engine import kinds, table_as_dataset
from imports.models import ImportJob
from imports.reading import FileRefused, read_table
from imports.services import (
    estimate_rows,
    import_job_create,
    job_messages,
    may_import,
    progress_of,
)


def spreadsheet_format(kind):
    """django-import-export's file format for a kind: CSV or XLSX, told apart by their
    content, read by imports.reading (encodings, the sheet, the header row, headers in
    either language)."""

    class Spreadsheet(Format):
        def __init__(self, encoding=None):
            self.encoding = encoding

        def get_title(self):
            return gettext_lazy("CSV or Excel (XLSX)")

        def create_dataset(self, in_stream, **kwargs):
            data = in_stream if isinstance(in_stream, bytes) else in_stream.encode()
            return table_as_dataset(read_table(data, "", kinds()[kind]))

        def is_binary(self):
            return True

        def get_read_mode(self):
            return "rb"

        def get_extension(self):
            return "xlsx"

        def get_content_type(self):
            return "application/octet-stream"

        def can_import(self):
            return True

        def can_export(self):
            return False

    Spreadsheet.__name__ = f"Spreadsheet_{kind}"
    return Spreadsheet


class RecordImportMixin(ImportMixin):
    import_kind = ""
    import_template_name = "admin/imports/import.html"
    skip_admin_log = True  # each record's history says who imported it, from which file

    def get_import_formats(self):
        return [spreadsheet_format(self.import_kind)]

    def get_import_resource_classes(self, request):
        return [kinds()[self.import_kind]]

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def has_import_permission(self, request):
        return may_import(request.user, self.import_kind)

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, FileRefused):
            form.add_error("import_file", e.message)
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_import_context_data(self, **kwargs):
        context = super().get_import_context_data(**kwargs)
        context["template_url"] = reverse("api:importjob-template", args=[self.import_kind])
        return context

    def import_action(self, request, **kwargs):
        """The upload: a file of more rows than the API imports within a request is
        previewed by a background dry run (imports.tasks), whose page shows its progress,
        then what the file would do and every error, and offers to import it; a smaller
        one is previewed now, as django-import-export does."""
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid():
                upload = form.cleaned_data["import_file"]
                data = b"".join(upload.chunks())
                upload.seek(0)
                if estimate_rows(data) > settings.IMPORT_SYNC_MAX_ROWS:
                    return self._preview_in_background(request, upload.name, data)
        return super().import_action(request, **kwargs)

    def _preview_in_background(self, request, name, data):
        try:
            job = import_job_create(
                user=request.user,
                resource=self.import_kind,
                name=name or "import",
                data=data,
                dry_run=True,
                language=get_language() or settings.LANGUAGE_CODE,
            )
        except FileRefused as refused:
            messages.error(request, refused.message)
            return self._back(request)
        messages.info(
            request,
            _(
                "The file is being checked in the background: this page shows its progress, "
                "then what it would import and every error, and lets you import it."
            ),
        )
        return HttpResponseRedirect(reverse("admin:imports_importjob_change", args=[job.pk]))

    def process_import(self, request, **kwargs):
        """The confirmation: a file of more rows than the API imports within a request
        goes to a background job (imports.tasks), whose page shows its progress and
        what came of it; a smaller one is imported now, as django-import-export does."""
        if request.method != "POST" or not self.has_import_permission(request):
            return super().process_import(request, **kwargs)
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid():
            return super().process_import(request, **kwargs)
        input_format = self.get_import_formats()[int(confirm_form.cleaned_data["format"])]()
        tmp_storage = self.get_tmp_storage_class()(
            name=confirm_form.cleaned_data["import_file_name"],
            encoding=None,
            read_mode=input_format.get_read_mode(),
            **self.get_tmp_storage_class_kwargs(),
        )
        data = tmp_storage.read()
        if estimate_rows(data) <= settings.IMPORT_SYNC_MAX_ROWS:
            return super().process_import(request, **kwargs)
        try:
            job = import_job_create(
                user=request.user,
                resource=self.import_kind,
                name=confirm_form.cleaned_data.get("original_file_name") or "import",
                data=data,
                dry_run=False,
                language=get_language() or settings.LANGUAGE_CODE,
            )
        except FileRefused as refused:
            messages.error(request, refused.message)
            return self._back(request)
        finally:
            tmp_storage.remove()
        messages.info(
            request,
            _("The file is being imported in the background: this page shows its progress."),
        )
        return HttpResponseRedirect(reverse("admin:imports_importjob_change", args=[job.pk]))

    def process_result(self, result, request):
        report = getattr(result, "import_report", None)
        if report is not None and not report.ok:
            # The records changed between the preview and the confirmation.
            for error in report.errors[:20]:
                messages.error(request, _("Row %(row)s: %(message)s") % error)
            messages.error(request, _("Nothing was imported."))
            return self._back(request)
        for warning in report.warnings if report else ():
            messages.warning(request, warning)
        return super().process_result(result, request)

    def _back(self, request):
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
        )


def add_import_page(model, kind):
    """Register `model`'s admin again, with the import page of `kind`."""
    registered = admin.site._registry.get(model)
    if registered is None:
        return
    base = type(registered)
    admin.site.unregister(model)
    # What other apps added to the registered admin (followups' inline) comes along.
    attributes = {"import_kind": kind, "inlines": registered.inlines}
    admin.site.register(
        model, type(f"Importing{base.__name__}", (RecordImportMixin, base), attributes)
    )


for _kind, _resource in kinds().items():
    add_import_page(_resource.admin_model or _resource._meta.model, _kind)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: what was imported, by whom, and what came of it. A job's page shows
    its status, its live progress while it runs (reloading itself, as the page of
    background exports does), its totals and every error as a table. Whoever may
    import sees their own jobs; an administrator (imports.view_importjob) sees all."""

    change_form_template = "admin/imports/importjob/change_form.html"
    # While a job waits or runs its page reloads itself with a <meta> refresh: no
    # script (the Content-Security-Policy allows none inline).
    REFRESH_SECONDS = 5

    list_display = (
        "created_at",
        "user",
        "resource",
        "file_name",
        "dry_run",
        "status",
        "row_count",
    )
    list_select_related = ("user",)
    list_filter = ("status", "resource", "dry_run")
    search_fields = ("user__username", "resource", "file_name")
    date_hierarchy = "created_at"
    fields = (
        "resource",
        "file_name",
        "user",
        "dry_run",
        "status",
        "live_progress",
        "row_count",
        "totals_table",
        "warnings_list",
        "errors_table",
        "created_at",
        "started_at",
        "finished_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        jobs = super().get_queryset(request)
        if request.user.has_perm("imports.view_importjob"):
            return jobs
        return jobs.filter(user=request.user)

    def _may_import_some(self, request):
        return any(may_import(request.user, kind) for kind in kinds())

    def has_view_permission(self, request, obj=None):
        if request.user.has_perm("imports.view_importjob"):
            return True
        # Those who import see their own jobs (get_queryset keeps them to those).
        return (obj is None or obj.user_id == request.user.pk) and self._may_import_some(request)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if job is not None and job.status in (ImportStatus.PENDING, ImportStatus.RUNNING):
            extra_context["refresh_seconds"] = self.REFRESH_SECONDS
        if job is not None and self._may_confirm(request, job):
            extra_context["confirm_url"] = reverse("admin:imports_importjob_confirm", args=[job.pk])
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        urls = [
            path(
                "<int:pk>/confirm/",
                self.admin_site.admin_view(self.confirm_view),
                name="imports_importjob_confirm",
            )
        ]
        return urls + super().get_urls()

    @staticmethod
    def _may_confirm(request, job) -> bool:
        """A dry run that found no error may be imported by whoever ran it, if they
        still may import its kind."""
        return (
            job.dry_run
            and job.status == ImportStatus.SUCCEEDED
            and job.user_id == request.user.pk
            and may_import(request.user, job.resource)
        )

    def confirm_view(self, request, pk):
        """The confirmation of a preview run in the background: the same file imported
        (in the background, as a big file is), the page of that import shown."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = self.get_queryset(request).filter(pk=pk).first()
        if job is None or not self._may_confirm(request, job):
            raise PermissionDenied
        with job.file.open("rb") as handle:
            data = handle.read()
        try:
            imported = import_job_create(
                user=request.user,
                resource=job.resource,
                name=job.file_name,
                data=data,
                dry_run=False,
                language=get_language() or settings.LANGUAGE_CODE,
            )
        except FileRefused as refused:
            messages.error(request, refused.message)
            return HttpResponseRedirect(reverse("admin:imports_importjob_change", args=[job.pk]))
        messages.info(
            request,
            _("The file is being imported in the background: this page shows its progress."),
        )
        return HttpResponseRedirect(reverse("admin:imports_importjob_change", args=[imported.pk]))

    @admin.display(description=gettext_lazy("progress"))
    def live_progress(self, job):
        # A running job's progress is in the cache: its rows are imported in a
        # transaction no other connection sees before it ends.
        return render_to_string(
            "admin/imports/importjob/progress.html", {"progress": progress_of(job)}
        )

    @admin.display(description=gettext_lazy("totals"))
    def totals_table(self, job):
        return render_to_string("admin/imports/importjob/totals.html", {"totals": job.totals})

    @admin.display(description=gettext_lazy("warnings"))
    def warnings_list(self, job):
        # In the reader's language, whoever imported the file.
        return render_to_string(
            "admin/imports/importjob/warnings.html", {"warnings": job_messages(job)[1]}
        )

    @admin.display(description=gettext_lazy("errors"))
    def errors_table(self, job):
        return render_to_string(
            "admin/imports/importjob/errors.html", {"errors": job_messages(job)[0]}
        )
