from django.apps import apps
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# Their admins register the records a note can be on; notes may read every app.
import agreements.admin  # noqa: F401
import contacts.admin  # noqa: F401
import followups.admin  # noqa: F401  (its inline comes first: notes are at the foot)
import missions.admin  # noqa: F401
import projects.admin  # noqa: F401
from accounts.names import display_name
from agreements.admin import DownloadableFileFields, DownloadableFileForm
from core.admin import RecordAdmin, RecordGenericTabularInline, VersionedGenericInlineFormSet
from followups.admin import RecordTypeFilter
from notes.choices import NOTABLE_MODELS, TARGET_TYPES
from notes.models import Note


class NoteForm(DownloadableFileForm):
    download_url_name = "notes:attachment-download"
    file_field = "attachment"


class NoteFields(DownloadableFileFields):
    form = NoteForm
    file_field = "attachment"

    @admin.display(description=_("author"), ordering="author__last_name")
    def author_name(self, note):
        return display_name(note.author) if note.author_id else "-"


class NoteRecordTypeFilter(RecordTypeFilter):
    title = _("record it is on")

    def lookups(self, request, model_admin):
        return [
            (f"{app_label}.{model_name}", apps.get_model(app_label, model_name)._meta.verbose_name)
            for app_label, model_name in NOTABLE_MODELS
        ]

    def queryset(self, request, queryset):
        if self.value() in TARGET_TYPES:
            app_label, model_name = TARGET_TYPES[self.value()]
            return queryset.filter(
                content_type__app_label=app_label, content_type__model=model_name
            )
        return queryset


@admin.register(Note)
class NoteAdmin(NoteFields, RecordAdmin):
    list_display = (
        "created_at",
        "__str__",
        "noted",
        "author_name",
        "download",
        "classification",
    )
    list_select_related = ("author", "content_type")
    list_filter = (NoteRecordTypeFilter, "author")
    search_fields = ("text",)
    date_hierarchy = "created_at"
    fields = (
        ("content_type", "object_id"),
        "text",
        ("attachment", "download"),
        ("author", "created_at", "updated_at"),
    )
    readonly_fields = ("author", "download", *RecordAdmin.readonly_fields)

    def get_queryset(self, request):
        # One query per kind of record, however many rows the page shows.
        return super().get_queryset(request).prefetch_related("target")

    # A generic relation has no verbose name: the admin would print "Target", in English.
    @admin.display(description=_("record"))
    def noted(self, note):
        return note.target

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)


class NoteFormSet(VersionedGenericInlineFormSet):
    """Who writes a new note is its author: the user saving the page."""

    author = None

    def save_new(self, form, commit=True):
        form.instance.author = self.author
        return super().save_new(form, commit)


class NoteInline(NoteFields, RecordGenericTabularInline):
    """A record's journal at the foot of its page, newest first: a new note is written
    in the empty row, its author and time set when the page is saved."""

    model = Note
    formset = NoteFormSet
    fields = ("created_at", "author_name", "text", "attachment", "download", "classification")
    readonly_fields = ("created_at", "author_name", "download")
    extra = 1
    classes = ("notes-journal",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author").order_by("-created_at", "-id")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"author": request.user})


# The records to the left of notes cannot name it (dependencies run one way), so the
# inline joins their admins from here, after every other inline: the foot of the page.
for _app_label, _model_name in NOTABLE_MODELS:
    _noted_admin = admin.site.get_model_admin(apps.get_model(_app_label, _model_name))
    _noted_admin.inlines = (*_noted_admin.inlines, NoteInline)
