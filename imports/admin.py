"""The admin's import pages (upload → preview → confirm), one per kind, on the record's
own list: django-import-export's ImportMixin added to each kind's admin here, so that
the domain apps do not depend on this one. Data entry and Administrator only (the
permissions to add and change the kind's records)."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportMixin
from import_export.formats.base_formats import Format

from imports.engine import kinds, table_as_dataset
from imports.models import ImportJob
from imports.reading import FileRefused, read_table
from imports.services import may_import


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
        from django.http import HttpResponseRedirect

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
    """Read-only: what was imported, by whom, and what came of it."""

    list_display = ("created_at", "user", "resource", "file_name", "dry_run", "status", "row_count")
    list_select_related = ("user",)
    list_filter = ("status", "resource", "dry_run")
    search_fields = ("user__username", "resource", "file_name")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
