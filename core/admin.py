"""What every data-entry screen shares: history, timestamps, region and country filters."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import get_fields_from_path, lookup_spawns_duplicates, quote
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    BadRequest,
    FieldDoesNotExist,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models import Max, Prefetch, Q
from django.forms.models import BaseInlineFormSet, _get_foreign_key
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_m2m_reverse_field_name

from accounts.roles import ADMINISTRATOR, GROUP_LABELS
from core import audit
from core.api.filters import search
from core.classification import (
    ACCESS_LISTS,
    RESTRICTED_LINK,
    ClassifiedModel,
    LinkedRecords,
    access_list_errors,
    access_lists_after_save,
    hide_deleted,
    highest_marking,
    history_row_hidden,
    is_classified,
)
from core.counts import EstimatedCountPaginator
from core.dates import JapaneseDateField
from core.fiscal import fiscal_year_of, fiscal_year_range
from core.folding import name_key
from core.models import Sector, Tag
from core.prefetch import related
from core.regions import Region, countries_in
from core.sectors import SectorCode
from core.services import record_restore
from core.tags import (
    carries_tags,
    link_names,
    tag_merge,
    tag_rename,
    tagged_models,
    tagged_q,
)


class VersionedModelForm(forms.ModelForm):
    """Carries the version of the record the user opened, so that saving over someone
    else's later edit is refused instead of silently undoing it."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # simple-history marks an instance built from a history row: the revert form.
        historical = getattr(self.instance, "_history", None)
        if historical is not None:
            self._revert_from(historical)
        elif self.instance.pk:
            self.fields["version"].initial = self.instance.version
        if "classification" in self.fields:
            # Left out of a post (an older form, a script), it stays as it is.
            self.fields["classification"].required = False

    def clean_classification(self):
        level = self.cleaned_data.get("classification")
        return self.instance.classification if level in (None, "") else level

    def _revert_from(self, historical):
        """The revert form shows an old version, but guards the current one: it is
        refused only if someone saves the record after it was opened. Its
        many-to-many relations are the old version's too, where the history has them."""
        current = type(self.instance)._default_manager.filter(pk=self.instance.pk).first()
        if current is not None:
            self.fields["version"].initial = current.version
        for field in getattr(historical, "_history_m2m_fields", ()):
            if field.name in self.fields:
                target = get_m2m_reverse_field_name(field)
                self.initial[field.name] = [
                    getattr(row, f"{target}_id") for row in getattr(historical, field.name).all()
                ]

    def is_stale(self) -> bool:
        """Whether someone saved the record since the user opened it. Otherwise the row
        is claimed: the admin saves inside one transaction, and the claim holds until it
        commits."""
        opened = self.cleaned_data.get("version")
        return bool(self.instance.pk and opened and not self.instance.claim_version(opened))

    def clean(self):
        cleaned_data = super().clean()
        if "classification" in cleaned_data and "access_users" in self.fields:
            errors = access_list_errors(
                cleaned_data.get("classification"),
                cleaned_data.get("access_users"),
                cleaned_data.get("access_groups"),
            )
            for field, messages_ in errors.items():
                self.add_error(field, messages_)
        if self.is_stale():
            raise forms.ValidationError(
                _(
                    "Someone else saved this record after you opened it. Open it again to "
                    "see their changes, then make yours."
                ),
                code="stale",
            )
        return cleaned_data


class VersionedRowsMixin:
    """The rows of an inline, each checked as the record is: the page posts every row
    back, so a row someone else changed meanwhile would be put back as the user saw
    it, even a row the user left alone.

    Django ignores the errors of a row marked for deletion: a row someone else changed
    after the page was opened is refused here, so that their change is not deleted
    unseen."""

    def clean(self):
        super().clean()
        for form in self.initial_forms:
            if self._should_delete_form(form) and form.has_error(NON_FIELD_ERRORS, "stale"):
                raise forms.ValidationError(
                    _(
                        "Someone else saved “%(record)s” after you opened this page, so it "
                        "was not deleted. Open the page again to see their changes."
                    ),
                    code="stale",
                    params={"record": form.instance},
                )


class VersionedInlineFormSet(VersionedRowsMixin, BaseInlineFormSet):
    pass


class VersionedGenericInlineFormSet(VersionedRowsMixin, BaseGenericInlineFormSet):
    pass


class LinkedRecordsFormMixin:
    """A record's fields that choose other classified records (an agreement's
    `supersedes`, signing meeting and projects): a record its reader may not see is
    named RESTRICTED_LINK, without its title (core.classification.LinkedRecords), and
    stays linked when the form is saved; another one the reader may not see cannot be
    chosen (it is "not one of the choices", as a record that does not exist)."""

    linked_records: LinkedRecords | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        linked = self.linked_records
        if linked is None or linked.everything:
            return
        for name, field in self.fields.items():
            queryset = getattr(field, "queryset", None)
            if name in ACCESS_LISTS or not hasattr(queryset, "visible_to"):
                continue
            current = self._linked_now(name)
            readable = Q(pk__in=queryset.visible_to(linked.user).values("pk"))
            field.queryset = queryset.filter(readable | Q(pk__in=current))
            if current:
                linked.decide(queryset.filter(pk__in=current))
            field.label_from_instance = _restricted_label(field.label_from_instance, linked)

    def _linked_now(self, name) -> list:
        """The ids the record points at through field `name` now."""
        instance = self.instance
        try:
            model_field = type(instance)._meta.get_field(name)
        except FieldDoesNotExist:
            return []
        if model_field.many_to_many:
            if instance.pk is None:
                return []
            return list(getattr(instance, name).values_list("pk", flat=True))
        value = getattr(instance, model_field.attname, None)
        return [] if value is None else [value]


def _restricted_label(label_from_instance, linked):
    def label(record):
        return RESTRICTED_LINK if linked.hidden(record) else label_from_instance(record)

    return label


def with_linked_records(form_class, request):
    """`form_class`, naming the records its reader may not see as restricted."""
    return type(
        form_class.__name__,
        (LinkedRecordsFormMixin, form_class),
        {"linked_records": LinkedRecords.of(request)},
    )


def hide_links_shown_read_only(record, request):
    """A record shown read-only (to a user who may view it but not change it) prints
    its related records as text: those its reader may not see are left out, a foreign
    key as if empty, a many-to-many field's list without them. Only for display: the
    record is not saved from such a page."""
    linked = LinkedRecords.of(request)
    if linked.everything:
        return
    lookups = []
    for field in [*record._meta.concrete_fields, *record._meta.many_to_many]:
        target = field.related_model
        if target is None or not hasattr(target._default_manager, "visible_to"):
            continue
        if field.many_to_many:
            visible = target._default_manager.visible_to(linked.user)
            lookups.append(Prefetch(field.name, queryset=visible))
        elif getattr(record, field.attname) is not None:
            related = getattr(record, field.name)
            if linked.hidden(related):
                field.set_cached_value(record, None)
    if lookups:
        models.prefetch_related_objects([record], *lookups)


class LinkedRecordsHistoryHelper(HistoricalRecordContextHelper):
    """The changes listed on a history page name a related record its reader may not
    see as RESTRICTED_LINK."""

    linked: LinkedRecords

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        linked = self.linked

        def masked(item):
            if isinstance(item, models.Model) and linked.hidden(item):
                return RESTRICTED_LINK
            return item

        return [masked(item) for item in value] if isinstance(value, list) else masked(value)


class JapaneseDatesMixin:
    """Every date field of the admin reads dates as staff write them: 2019/8/29,
    2019年8月29日, 令和元年8月29日 (core.dates), with the admin's calendar beside it."""

    formfield_overrides = {models.DateField: {"form_class": JapaneseDateField}}


class RecordInlineMixin(JapaneseDatesMixin):
    """Base for every inline: each row carries its version, so that saving the page
    never puts back a row someone else changed meanwhile, and links to the row's own
    page (its history, and its restore once deleted)."""

    form = VersionedModelForm
    formset = VersionedInlineFormSet
    show_change_link = True

    def get_queryset(self, request):
        # The rows the user may read only (core.classification).
        queryset = super().get_queryset(request)
        visible_to = getattr(queryset, "visible_to", None)
        return queryset if visible_to is None else visible_to(request.user)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = with_linked_records(formset.form, request)
        return formset

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        # A hidden input: the inline templates render only the fields listed.
        return fields if "version" in fields else [*fields, "version"]


class RecordTabularInline(RecordInlineMixin, admin.TabularInline):
    pass


class RecordStackedInline(RecordInlineMixin, admin.StackedInline):
    pass


class RecordGenericTabularInline(RecordInlineMixin, GenericTabularInline):
    formset = VersionedGenericInlineFormSet


class ViewOnlyHistoryAdmin(JapaneseDatesMixin, SimpleHistoryAdmin):
    """History to read, never to put back: for who may do what (users, API tokens,
    webhook subscriptions), where reverting could undo a withdrawal of rights unseen,
    and whose history leaves out the secrets a revert would need."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history only hides the button: refuse the post as well.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class RecordAdmin(JapaneseDatesMixin, SimpleHistoryAdmin):
    """Base for every record: its history is one click away, timestamps are read-only,
    sectors are ticked as check boxes, and a stale edit is refused."""

    form = VersionedModelForm
    readonly_fields = ("created_at", "updated_at")
    change_form_template = "admin/record_change_form.html"
    object_history_form_template = "admin/record_history_form.html"
    change_list_template = "admin/record_change_list.html"
    # A million meetings are not counted on every page: an unfiltered list shows
    # PostgreSQL's estimate of the table's size (core.counts), a filtered one its exact
    # count without the table's total beside it.
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def get_list_display(self, request):
        columns = getattr(self, "_country_columns", None)
        if columns is None:
            columns = self._country_columns = {}
        shown = list(super().get_list_display(request))
        return [
            _country_column(self.model, name, columns) if isinstance(name, str) else name
            for name in shown
        ]

    # -- classification (core.classification) ----------------------------------------

    def _classified(self) -> bool:
        return issubclass(self.model, ClassifiedModel)

    def get_queryset(self, request):
        """Only what the user may read: the change list, its search, the autocompletes
        that choose this record elsewhere, the change and history pages."""
        queryset = super().get_queryset(request)
        visible_to = getattr(queryset, "visible_to", None)
        return queryset if visible_to is None else visible_to(request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return with_linked_records(form, request)

    def get_object(self, request, object_id, from_field=None):
        record = super().get_object(request, object_id, from_field)
        if record is not None and not self.has_change_permission(request, record):
            hide_links_shown_read_only(record, request)
        return record

    def get_historical_record_context_helper(self, request, historical_record):
        helper = LinkedRecordsHistoryHelper(self.model, historical_record)
        helper.linked = LinkedRecords.of(request)
        return helper

    def get_list_filter(self, request):
        filters = list(super().get_list_filter(request))
        if self._classified() and "classification" not in filters:
            filters.append("classification")
        if carries_tags(self.model):
            filters += [TagListFilter, TagMatchListFilter]
        return filters

    # -- tags (core.tags) -------------------------------------------------------------

    @admin.display(description=_("tags"))
    def tags_column(self, record):
        # Read from the page's prefetch (TaggedChangeList): no query per row.
        return ", ".join(tag.name for tag in related(record, "tags")) or "-"

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        if not carries_tags(self.model):
            return changelist
        return type("TaggedChangeList", (TaggedChangeList, changelist), {})

    def get_autocomplete_fields(self, request):
        fields = tuple(super().get_autocomplete_fields(request))
        if carries_tags(self.model) and "tags" not in fields:
            fields += ("tags",)
        if self._classified():
            # The autocomplete reads the users' and groups' admin, which needs the
            # permission to view them; without it, a plain list to choose from.
            lists = {"access_users": "accounts.view_user", "access_groups": "auth.view_group"}
            fields += tuple(
                name
                for name, permission in lists.items()
                if name not in fields and request.user.has_perm(permission)
            )
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if carries_tags(self.model) and "tags" not in _named_fields(fieldsets):
            fieldsets.insert(
                -1 if len(fieldsets) > 1 else len(fieldsets), (_("Tags"), {"fields": ("tags",)})
            )
        if self._classified():
            named = {
                name
                for _title, options in fieldsets
                for line in options.get("fields", ())
                for name in (line if isinstance(line, list | tuple) else (line,))
            }
            if "classification" not in named:
                fieldsets.insert(
                    -1 if len(fieldsets) > 1 else len(fieldsets),
                    (
                        _("Classification"),
                        {"fields": ("classification", "access_users", "access_groups")},
                    ),
                )
        return fieldsets

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if carries_tags(self.model) and "tags" not in _named_fields([(None, {"fields": fields})]):
            # Before the record's timestamps, which close the page.
            at = next(
                (i for i, line in enumerate(fields) if "created_at" in _line_names(line)),
                len(fields),
            )
            fields.insert(at, "tags")
        if self._classified():
            fields += [
                name
                for name in ("classification", "access_users", "access_groups")
                if name not in fields
            ]
        return fields

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Below level 3 the form has refused any list, and saved them empty.
        if self._classified() and form.instance.classification == 3:
            access_lists_after_save(form.instance, request.user, was_restricted=False)

    def _hidden(self, request, object_id) -> bool:
        """A record the user may not read, alive or deleted: its history too is
        answered as if there were no such record."""
        try:
            pk = self.model._meta.pk.to_python(object_id)
        except ValidationError:
            return False
        history = getattr(self.model, "history", None)
        if history is None:
            return False
        if self.model._default_manager.filter(pk=pk).exists():
            return not self.get_queryset(request).filter(pk=pk).exists()
        latest = (
            history.filter(**{self.opts.pk.attname: pk})
            .order_by("-history_date", "-history_id")
            .first()
        )
        return latest is not None and history_row_hidden(self.model, latest, request.user)

    def history_view(self, request, object_id, extra_context=None):
        if self._hidden(request, object_id):
            raise Http404
        self._note_history_read(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def _note_history_read(self, request, object_id):
        if not is_classified(self.model):
            return
        try:
            pk = self.model._meta.pk.to_python(object_id)
        except ValidationError:
            return
        record = self.get_queryset(request).filter(pk=pk).first()
        if record is not None:
            audit.note_records(request, audit.CHANNEL_ADMIN, [record], detail=True)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if self._hidden(request, object_id):
            raise Http404
        self._note_history_read(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_form(self, request, form, change):
        record = super().save_form(request, form, change)
        # simple-history's revert form saves with no reason: the version would read as
        # an ordinary edit.
        historical = getattr(record, "_history", None)
        if historical is not None:
            record._change_reason = gettext("Reverted to the version of %(date)s") % {
                "date": date_format(timezone.localtime(historical.history_date), "DATETIME_FORMAT")
            }
        return record

    def get_search_results(self, request, queryset, search_term):
        """The search box, and the autocompletes that choose this record elsewhere,
        find what the API's `q` finds: text compared folded (core.folding), ｶﾞｰﾅ
        finding ガーナ, through the same trigram indexes. Terms are split as Django
        splits them ("quoted words" stay one term); no record is listed twice."""
        search_fields = self.get_search_fields(request)
        if not (search_fields and search_term):
            return queryset, False
        terms = [
            unescape_string_literal(bit) if bit[0] in "\"'" and bit[0] == bit[-1] else bit
            for bit in smart_split(search_term)
        ]
        return search(queryset, search_fields, terms), False

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.remote_field.model is Sector:
            kwargs["widget"] = forms.CheckboxSelectMultiple
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "access_groups" and field is not None:
            # The roles' groups by their names in the reader's language.
            field.label_from_instance = lambda group: GROUP_LABELS.get(group.name, group.name)
        return field

    # -- deleted records ------------------------------------------------------------

    def _url_name(self, view):
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    def get_urls(self):
        # Before the others: "<path:object_id>/" would take "deleted/" for an id.
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_view),
                name=self._url_name("deleted"),
            ),
            path(
                "deleted/<int:history_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name=self._url_name("restore"),
            ),
            *super().get_urls(),
        ]

    def has_restore_permission(self, request):
        """Bringing back what someone deleted is an administrator's decision: the
        permission to add the record, and the Administrator role (or superuser)."""
        user = request.user
        return user.has_perm(f"{self.opts.app_label}.add_{self.opts.model_name}") and (
            user.is_superuser or user.groups.filter(name=ADMINISTRATOR).exists()
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The rows entered in this page's inlines have no list of their own in the
        # admin: their deleted ones are reached from here.
        links = []
        for inline in self.inlines:
            if not self.admin_site.is_registered(inline.model):
                continue
            row_admin = self.admin_site.get_model_admin(inline.model)
            if isinstance(row_admin, InlineRecordAdmin):
                parent = _get_foreign_key(self.model, inline.model, fk_name=inline.fk_name)
                url = reverse(f"{self.admin_site.name}:{row_admin._url_name('deleted')}")
                links.append(
                    {
                        "label": gettext("Deleted %(name)s")
                        % {"name": inline.model._meta.verbose_name_plural},
                        # Those of this record only.
                        "url": f"{url}?{parent.name}={quote(object_id)}",
                    }
                )
        extra_context = {**(extra_context or {}), "deleted_rows_links": links}
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["deleted_records_url"] = reverse(
            f"{self.admin_site.name}:{self._url_name('deleted')}"
        )
        response = super().changelist_view(request, extra_context)
        change_list = getattr(response, "context_data", {}).get("cl")
        if change_list is not None and is_classified(self.model):
            listed = list(change_list.result_list)
            audit.note_records(request, audit.CHANNEL_ADMIN, listed)
            if self._classified():
                # The page's marking: that of the most restricted record listed.
                response.context_data["classification_marking"] = highest_marking(
                    record.classification for record in listed
                )
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and is_classified(self.model):
            audit.note_records(request, audit.CHANNEL_ADMIN, [obj], detail=True)
        if obj is not None and self._classified():
            context["classification_marking"] = obj.marking
        return super().render_change_form(request, context, add, change, form_url, obj)

    def deleted_records(self):
        """The last deletion of each record that has not come back since."""
        history = self.model.history.model
        pk_name = self.opts.pk.attname
        last_deletions = (
            history.objects.filter(history_type="-")
            .values(pk_name)
            .annotate(last=Max("history_id"))
            .values("last")
        )
        return (
            history.objects.filter(history_id__in=last_deletions)
            .exclude(**{f"{pk_name}__in": self.model._default_manager.values(pk_name)})
            .select_related("history_user")
            .order_by("-history_date", "-history_id")
        )

    def deleted_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        deleted = hide_deleted(self.model, self.deleted_records(), request.user)
        # `?<parent>=<id>`: the rows deleted from one record's page (its inline).
        for field in self.opts.fields:
            if field.many_to_one and field.name in request.GET:
                value = request.GET[field.name]
                if not (value.isascii() and value.isdigit() and len(value) < 19):
                    raise BadRequest(gettext("Give the record's id as a number."))
                deleted = deleted.filter(**{field.attname: int(value)})
        page = Paginator(deleted, 50).get_page(request.GET.get("p"))
        rows = []
        for deleted in page:
            try:
                display = str(deleted.instance)
            except ObjectDoesNotExist:  # its name needs a record deleted too
                display = f"{self.opts.verbose_name} #{getattr(deleted, self.opts.pk.attname)}"
            rows.append({"deleted": deleted, "display": display})
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Deleted %(name)s") % {"name": self.opts.verbose_name_plural},
            "opts": self.opts,
            "rows": rows,
            "page": page,
            "can_restore": self.has_restore_permission(request),
            "restore_url_name": f"{self.admin_site.name}:{self._url_name('restore')}",
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/deleted_records.html", context)

    def restore_view(self, request, history_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_restore_permission(request):
            raise PermissionDenied
        deleted = get_object_or_404(
            self.model.history.model, history_id=history_id, history_type="-"
        )
        if history_row_hidden(self.model, deleted, request.user):
            raise Http404
        try:
            record = record_restore(deleted=deleted, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(
                reverse(f"{self.admin_site.name}:{self._url_name('deleted')}")
            )
        self.log_addition(request, record, [{"added": {}}])
        self.message_user(
            request,
            gettext("The %(name)s “%(record)s” was restored.")
            % {"name": self.opts.verbose_name, "record": record},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse(f"{self.admin_site.name}:{self._url_name('change')}", args=[record.pk])
        )


def _line_names(line) -> tuple:
    return tuple(line) if isinstance(line, list | tuple) else (line,)


def _named_fields(fieldsets) -> set:
    return {
        name
        for _title, options in fieldsets
        for line in options.get("fields", ())
        for name in _line_names(line)
    }


class TaggedChangeList:
    """A list of records that carry tags reads them for the page in one query."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).prefetch_related("tags")


def _chosen_tags(request) -> list[str]:
    return [value for value in request.GET.getlist("tag") if value]


class TagListFilter(admin.SimpleListFilter):
    """`?tag=港湾&tag=Ghana ports`, as the API's: each tag of the list adds itself to
    the tags chosen or takes itself out; the records have any of them, or all of them
    (TagMatchListFilter)."""

    title = _("tags")
    parameter_name = "tag"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        # Every value, not only the last (Django's SimpleListFilter keeps one).
        chosen = _chosen_tags(request)
        if chosen:
            self.used_parameters[self.parameter_name] = chosen

    def lookups(self, request, model_admin):
        return [(tag.name, tag.name) for tag in Tag.objects.only("name", "name_key")]

    def queryset(self, request, queryset):
        chosen = self.value()
        if not chosen:
            return queryset
        if isinstance(chosen, str):  # one value (facet counts pass them one at a time)
            chosen = [chosen]
        keys = {name_key(value) for value in chosen}
        ids = list(Tag.objects.filter(name_key__in=keys).values_list("pk", flat=True))
        every = request.GET.get(TagMatchListFilter.parameter_name) == "all"
        # A tag that does not exist is carried by no record.
        if not ids or (every and len(ids) < len(keys)):
            return queryset.none()
        return queryset.filter(tagged_q(queryset.model, ids, every=every))

    def choices(self, changelist):
        chosen = self.value() or []
        if isinstance(chosen, str):
            chosen = [chosen]
        yield {
            "selected": not chosen,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("All"),
        }
        for lookup, title in self.lookup_choices:
            selected = lookup in chosen
            others = [name for name in chosen if name != lookup]
            yield {
                "selected": selected,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: others if selected else [*chosen, lookup]},
                    remove=[] if others or not selected else [self.parameter_name],
                ),
                "display": title,
            }


class TagMatchListFilter(admin.SimpleListFilter):
    title = _("records with")
    parameter_name = "tag_match"

    def lookups(self, request, model_admin):
        return [("any", _("any of the tags")), ("all", _("all of the tags"))]

    def has_output(self):
        return len(_chosen_tags(self.request)) > 1

    def queryset(self, request, queryset):
        return queryset  # read by TagListFilter

    def choices(self, changelist):
        current = self.value() or "any"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class InlineRecordAdmin(RecordAdmin):
    """A record entered in its parent's page (a project's participant, an agreement's
    document). Not listed in the admin's index: its own pages, reached from the row's
    link in the parent's page, keep its history, its revert and its deleted records."""

    def get_model_perms(self, request):
        return {}


class CountryColumn:
    """A country column of a change list, printed as the admin prints a country field
    (its name in the reader's language, the empty value for none or an unknown code)
    and sorted the same way, under the same header and CSS class.

    The admin finds that name in the field's `flatchoices`, which django-countries
    rebuilds (every country, translated, sorted by name) twice for every cell: 180 ms
    for a page of 100 meetings. The names are the same for every cell of a language,
    so they are looked up once per language."""

    def __init__(self, field):
        self.field = field
        self.__name__ = field.name  # what the admin names the header and cells after
        self.short_description = field.verbose_name
        self.admin_order_field = field.name
        self._names = {}

    def __call__(self, record):
        language = get_language()
        names = self._names.get(language)
        if names is None:
            names = self._names[language] = dict(self.field.flatchoices)
        value = getattr(record, self.field.attname)
        return names.get(getattr(value, "code", value))


def _country_column(model, name, columns):
    if name not in columns:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        single_country = isinstance(field, CountryField) and not field.multiple
        columns[name] = CountryColumn(field) if single_country else name
    return columns[name]


def _leads_an_index(model, field) -> bool:
    if field.db_index or field.unique:
        return True
    return any(
        index.fields and index.fields[0].lstrip("-") == field.name and index.condition is None
        for index in model._meta.indexes
    )


def values_that_occur(model, field_name):
    """The distinct values of a column, read from the index that starts with it.

    SELECT DISTINCT reads every row (60 ms over the million meetings, for 56
    countries); a loose index scan asks the index for the next value above the last
    one found, once per distinct value. Without such an index, or when the model's
    default manager filters its rows, a plain DISTINCT."""
    manager = model._default_manager
    field = model._meta.get_field(field_name)
    if not _leads_an_index(model, field) or manager.get_queryset().query.where:
        return list(manager.order_by().values_list(field_name, flat=True).distinct())
    connection = connections[manager.db]
    quote = connection.ops.quote_name
    table, column = quote(model._meta.db_table), quote(field.column)
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE occurring(value) AS ("
            f" SELECT MIN({column}) FROM {table}"
            " UNION ALL"
            f" SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > occurring.value)"
            " FROM occurring WHERE occurring.value IS NOT NULL"
            ") SELECT value FROM occurring WHERE value IS NOT NULL"
        )
        return [row[0] for row in cursor.fetchall()]


def filter_once(queryset, **lookups):
    """`queryset.filter(**lookups)`, each record listed once when a lookup goes through
    a to-many relation: a mission with two meetings in Viet Nam is one mission in Viet
    Nam. Django removes such duplicates for its own list filters, not for ours."""
    opts = queryset.model._meta
    if any(lookup_spawns_duplicates(opts, lookup) for lookup in lookups):
        matching = queryset.model._default_manager.filter(**lookups)
        return queryset.filter(pk__in=matching.values("pk"))
    return queryset.filter(**lookups)


def country_filter(field_name, title=None):
    """A filter listing only the countries that occur, by name, in one fixed query.
    `field_name` may go through a relation ("meetings__counterpart_country")."""

    class CountryFilter(admin.SimpleListFilter):
        parameter_name = field_name

        def lookups(self, request, model_admin):
            field = get_fields_from_path(model_admin.model, field_name)[-1]
            codes = values_that_occur(field.model, field.name)
            return sorted(
                ((code, countries.name(code)) for code in codes if code), key=lambda c: c[1]
            )

        def queryset(self, request, queryset):
            if self.value():
                return filter_once(queryset, **{field_name: self.value()})
            return queryset

    CountryFilter.title = title or _("country")
    return CountryFilter


def region_filter(country_field_name):
    """Regions are derived from countries (core.regions), so the filter does the same."""

    class RegionFilter(admin.SimpleListFilter):
        title = _("region")
        parameter_name = "region"

        def lookups(self, request, model_admin):
            return Region.choices

        def queryset(self, request, queryset):
            if self.value() in Region.values:
                return filter_once(
                    queryset, **{f"{country_field_name}__in": countries_in(self.value())}
                )
            return queryset

    return RegionFilter


def sector_filter(sectors_field_name, title=None):
    """Sectors are a fixed list (core.sectors): the filter offers them without asking
    the database, as Django's filter of a many-to-many relation would."""

    class SectorFilter(admin.SimpleListFilter):
        parameter_name = sectors_field_name

        def lookups(self, request, model_admin):
            return SectorCode.choices

        def queryset(self, request, queryset):
            if self.value() in SectorCode.values:
                return filter_once(queryset, **{sectors_field_name: self.value()})
            return queryset

    SectorFilter.title = title or _("sector")
    return SectorFilter


def fiscal_year_filter(date_field_name, years_back=12):
    """Japanese fiscal year (April to March), which date_hierarchy cannot express."""

    class FiscalYearFilter(admin.SimpleListFilter):
        title = _("fiscal year")
        parameter_name = "fiscal_year"

        def lookups(self, request, model_admin):
            latest = fiscal_year_of(timezone.localdate()) + 1
            return [
                (str(year), _("FY%(year)s") % {"year": year})
                for year in range(latest, latest - years_back, -1)
            ]

        def queryset(self, request, queryset):
            if self.value() and self.value().isdigit():
                return queryset.filter(
                    **{f"{date_field_name}__range": fiscal_year_range(int(self.value()))}
                )
            return queryset

    return FiscalYearFilter


@admin.register(Tag)
class TagAdmin(RecordAdmin):
    """Tags are added wherever records are entered (the + beside a record's tags);
    here administrators rename them (a rename is read on every record that carries the
    tag) and merge those that mean the same."""

    list_display = ("name", "updated_at")
    search_fields = ("name",)
    fields = ("name", ("created_at", "updated_at"))
    actions = ("merge_selected",)

    def has_merge_permission(self, request):
        """Merging deletes tags and changes every record that carried them: an
        administrator's decision (the permissions to change and delete tags)."""
        return request.user.has_perm("core.change_tag") and request.user.has_perm("core.delete_tag")

    def save_model(self, request, obj, form, change):
        if change and "name" in form.changed_data:
            tag_rename(tag=obj, name=obj.name)
        else:
            super().save_model(request, obj, form, change)

    def _uses(self, request, tags) -> dict:
        """{tag: [(kind, number of records the user may read that carry it)]}."""
        uses = {tag.pk: [] for tag in tags}
        for model in tagged_models():
            records = model._default_manager.all()
            visible_to = getattr(records, "visible_to", None)
            if visible_to is not None:
                records = visible_to(request.user)
            source, target = link_names(model)
            counts = dict(
                model._meta.get_field("tags")
                .remote_field.through._default_manager.filter(
                    **{f"{source}__in": records.values("pk"), f"{target}__in": list(uses)}
                )
                .values(target)
                .annotate(number=models.Count("pk"))
                .values_list(target, "number")
            )
            for pk, number in counts.items():
                uses[pk].append((model._meta.verbose_name_plural, number))
        return uses

    @admin.action(description=_("Merge the selected tags"), permissions=["merge"])
    def merge_selected(self, request, queryset):
        """A page to choose the tag kept (with what carries each); the merge itself
        once one is chosen (core.tags.tag_merge)."""
        tags = list(queryset.order_by("name_key", "pk"))
        if len(tags) < 2:
            self.message_user(
                request, gettext("Select at least two tags to merge."), messages.WARNING
            )
            return None
        if request.POST.get("post") == "yes":
            keep = {str(tag.pk): tag for tag in tags}.get(request.POST.get("keep", ""))
            if keep is None:
                self.message_user(request, gettext("Choose the tag to keep."), messages.WARNING)
                return None
            merged = ", ".join(tag.name for tag in tags if tag.pk != keep.pk)
            tag_merge(tags=tags, keep=keep, user=request.user)
            self.log_change(
                request, keep, gettext("Merged “%(merged)s” into it.") % {"merged": merged}
            )
            self.message_user(
                request,
                gettext("“%(merged)s” merged into “%(kept)s”.") % {"merged": merged, "kept": keep},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:core_tag_changelist"))
        uses = self._uses(request, tags)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Merge tags"),
            "opts": self.opts,
            "tags": [(tag, uses[tag.pk]) for tag in tags],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": "merge_selected",
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/core/tag_merge_confirmation.html", context)
