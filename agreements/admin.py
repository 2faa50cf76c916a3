import copy
import os

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from agreements.filters import AgreementFilterSet
from agreements.models import Agreement, AgreementDocument
from agreements.services import agreement_save
from agreements.validators import ACCEPTED_EXTENSIONS
from contacts.models import Organization
from core.admin import (
    InlineRecordAdmin,
    RecordAdmin,
    RecordTabularInline,
    VersionedModelForm,
    country_filter,
    fiscal_year_filter,
    region_filter,
    sector_filter,
)
from core.widgets import LongSelectMultiple
from missions.admin import meeting_label


class _DownloadedFile:
    """The file a document holds, as its field shows it: the file's name, linked to the
    download view (files are never served by MEDIA_URL, which answers 404)."""

    def __init__(self, file, url):
        self.url = url
        self.name = os.path.basename(file.name)

    def __str__(self):
        return self.name


class DownloadableFileInput(AdminFileWidget):
    download_url = None

    def format_value(self, value):
        if self.is_initial(value) and self.download_url:
            return _DownloadedFile(value, self.download_url)
        return super().format_value(value)


class DownloadableFileForm(VersionedModelForm):
    """A form whose stored file links to its permission-checked download view."""

    download_url_name = ""
    file_field = "file"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get(self.file_field)
        if field is not None and self.instance.pk and getattr(self.instance, self.file_field):
            field.widget = copy.copy(field.widget)
            field.widget.download_url = reverse(self.download_url_name, args=[self.instance.pk])


class AgreementDocumentForm(DownloadableFileForm):
    download_url_name = "agreements:document-download"


class DownloadableFileFields:
    """What a stored file looks like in the admin: its name linked to the download view,
    the file picker offered the accepted types (agreements.validators), a `download`
    column. Every file the records take (a document, a note's attachment) uses it."""

    form = DownloadableFileForm
    file_field = "file"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == self.file_field:
            kwargs["widget"] = DownloadableFileInput
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == self.file_field:
            field.widget.attrs["accept"] = ACCEPTED_EXTENSIONS
        return field

    @admin.display(description=_("download"))
    def download(self, record):
        # Files are served only through the permission-checked view, never by MEDIA_URL.
        if not record.pk or not getattr(record, self.file_field):
            return "-"
        url = reverse(self.form.download_url_name, args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, _("download"))


class AgreementDocumentFields(DownloadableFileFields):
    """What a document's file looks like, in its agreement's page and in its own."""

    form = AgreementDocumentForm


class AgreementDocumentInline(AgreementDocumentFields, RecordTabularInline):
    model = AgreementDocument
    extra = 1
    fields = ("file", "language", "description", "download")
    readonly_fields = ("download",)


@admin.register(AgreementDocument)
class AgreementDocumentAdmin(AgreementDocumentFields, InlineRecordAdmin):
    list_display = ("__str__", "agreement", "language", "download", "updated_at")
    list_select_related = ("agreement",)
    list_filter = ("language",)
    search_fields = ("description", "agreement__title", "agreement__title_ja")
    autocomplete_fields = ("agreement",)
    fields = (
        "agreement",
        "file",
        ("language", "description"),
        "download",
        ("created_at", "updated_at"),
    )
    readonly_fields = ("download", *InlineRecordAdmin.readonly_fields)


class CountriesWidget(LongSelectMultiple):
    """The 250 countries as a box that finds a country as one types its name (the
    admin's own Select2, core/agreement_form.js), not a 250-line list to scroll."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"data-choose-countries": "", **(attrs or {})}, choices)


class AgreementForm(VersionedModelForm):
    class Meta:
        widgets = {"target_countries": CountriesWidget}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        meeting = self.fields.get("signed_at_meeting")
        if meeting is not None:
            # The meeting chosen reads as in the autocomplete's list.
            meeting.label_from_instance = meeting_label
            meeting.queryset = meeting.queryset.select_related("mission", "principal")


@admin.register(Agreement)
class AgreementAdmin(RecordAdmin):
    form = AgreementForm
    list_display = (
        "title",
        "title_ja",
        "kind",
        "counterpart_country",
        "status",
        "signed_on",
        "expires_on",
        "japanese_signatory",
        "tags_column",
        "classification",
    )
    list_select_related = ("japanese_signatory",)
    list_filter = (
        "status",
        "kind",
        country_filter("counterpart_country", _("counterpart country")),
        region_filter("counterpart_country"),
        sector_filter("sectors"),
        "renewal",
        fiscal_year_filter("signed_on"),
    )
    # The API's `q` and the admin's search find the same agreements.
    search_fields = AgreementFilterSet.search_fields
    date_hierarchy = "signed_on"
    autocomplete_fields = (
        "japanese_signatory",
        "signed_by",
        "counterpart_organizations",
        "signed_at_meeting",
        "supersedes",
        "projects",
    )
    inlines = (AgreementDocumentInline,)
    fieldsets = (
        (None, {"fields": (("title", "title_ja"), ("kind", "status"), "scope", "sectors")}),
        (
            _("Parties"),
            {
                "fields": (
                    ("japanese_signatory", "signed_by"),
                    "counterpart_country",
                    "counterpart_organizations",
                    "target_countries",
                )
            },
        ),
        (
            _("Dates"),
            {
                "fields": (
                    ("signed_on", "effective_on", "expires_on"),
                    "renewal",
                    "signed_at_meeting",
                )
            },
        ),
        (_("Links"), {"fields": ("supersedes", "projects")}),
        (_("Record"), {"fields": (("created_at", "updated_at"),)}),
    )

    class Media:
        # The signing meeting fills the country and the signing date; the target
        # countries are found by name.
        # After the admin's jQuery and Select2, which its autocompletes bring.
        js = ("admin/js/jquery.init.js", "core/agreement_form.js")

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        mlit = Organization.objects.filter(name=settings.MLIT_ORGANIZATION_NAME).first()
        if mlit:
            initial.setdefault("japanese_signatory", mlit.pk)
        return initial

    def save_model(self, request, obj, form, change):
        agreement_save(agreement=obj)
