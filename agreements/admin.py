from django.conf import settings
from django.contrib import admin
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
    country_filter,
    fiscal_year_filter,
    region_filter,
    sector_filter,
)


class AgreementDocumentFields:
    """What a document's file looks like, in its agreement's page and in its own."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "file":
            field.widget.attrs["accept"] = ACCEPTED_EXTENSIONS
        return field

    @admin.display(description=_("download"))
    def download(self, document):
        # Files are served only through the permission-checked view, never by MEDIA_URL.
        if not document.pk:
            return "-"
        url = reverse("agreements:document-download", args=[document.pk])
        return format_html('<a href="{}">{}</a>', url, _("download"))


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


@admin.register(Agreement)
class AgreementAdmin(RecordAdmin):
    list_display = (
        "title",
        "title_ja",
        "kind",
        "counterpart_country",
        "status",
        "signed_on",
        "expires_on",
        "japanese_signatory",
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

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        mlit = Organization.objects.filter(name=settings.MLIT_ORGANIZATION_NAME).first()
        if mlit:
            initial.setdefault("japanese_signatory", mlit.pk)
        return initial

    def save_model(self, request, obj, form, change):
        agreement_save(agreement=obj)
