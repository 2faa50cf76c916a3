from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import ADMINISTRATOR
from contacts.filters import PostFilterSet
from contacts.models import Organization, Person, Post
from contacts.services import SAME_SCOPE, contact_merge, contact_merge_plan, contact_similar
from core.admin import (
    RecordAdmin,
    RecordTabularInline,
    VersionedModelForm,
    country_filter,
    region_filter,
)


class ContactForm(VersionedModelForm):
    """A new person or organisation whose name is the same or nearly the same as one
    on file (contacts.services.contact_similar) is not saved at once: the page shows
    the likely duplicates and a box to tick to save it anyway."""

    confirm_new = forms.BooleanField(
        label=_("Save anyway: it is none of the records above"),
        required=False,
        # Shown only once there is something to confirm (clean()).
        widget=forms.HiddenInput,
    )

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None or self.errors or cleaned_data.get("confirm_new"):
            return cleaned_data
        model = self._meta.model
        scope = {name: cleaned_data.get(name) for name in SAME_SCOPE[model]}
        if not all(scope.values()):
            return cleaned_data
        candidates = contact_similar(
            model,
            name=cleaned_data.get("name") or "",
            name_ja=cleaned_data.get("name_ja") or "",
            **scope,
        )
        if candidates:
            self.fields["confirm_new"].widget = forms.CheckboxInput()
            info = model._meta.app_label, model._meta.model_name
            links = format_html_join(
                "",
                '<li><a href="{}" target="_blank" rel="noopener">{}</a></li>',
                (
                    (reverse("admin:{}_{}_change".format(*info), args=[record.pk]), record)
                    for record in candidates
                ),
            )
            raise ValidationError(
                format_html(
                    "{}<ul>{}</ul>{}",
                    gettext("These records have the same or a very similar name:"),
                    links,
                    gettext(
                        "If it is one of them, use it instead. If it is not, tick “Save "
                        "anyway” below and save again."
                    ),
                ),
                code="likely_duplicate",
            )
        return cleaned_data


def _only_visible(plan, user):
    """The page names only the records the user may read (core.classification); the
    others move all the same, counted as records the user may not see."""
    for reference in plan.references:
        manager = reference.relation.related_model._default_manager
        if not hasattr(manager, "visible_to"):
            continue
        listed = [record.pk for record in [*reference.moved, *reference.duplicates]]
        visible = set(manager.visible_to(user).filter(pk__in=listed).values_list("pk", flat=True))
        reference.hidden = sum(1 for pk in listed if pk not in visible)
        reference.moved = [record for record in reference.moved if record.pk in visible]
        reference.duplicates = [record for record in reference.duplicates if record.pk in visible]


class ContactAdmin(RecordAdmin):
    """People and organisations: a likely duplicate is shown before a new one is
    saved, and administrators merge two records entered for one."""

    form = ContactForm
    actions = ("merge_selected",)

    def has_merge_permission(self, request):
        """Merging deletes one of the two records: an administrator's decision, as a
        restore is (the permissions to change and delete, and the Administrator role)."""
        user = request.user
        opts = self.opts
        return (
            user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
            and user.has_perm(f"{opts.app_label}.delete_{opts.model_name}")
            and (user.is_superuser or user.groups.filter(name=ADMINISTRATOR).exists())
        )

    @admin.action(description=_("Merge the two selected records"), permissions=["merge"])
    def merge_selected(self, request, queryset):
        """A confirmation page showing, for either record kept, what moves to it; the
        merge itself once one is chosen (contacts.services.contact_merge)."""
        records = list(queryset.order_by("pk")[:3])
        if len(records) != 2:
            self.message_user(
                request, gettext("Select exactly two records to merge."), messages.WARNING
            )
            return None
        if request.POST.get("post") == "yes":
            return self._merge(request, records)
        choices = []
        for keep, merge in (records, records[::-1]):
            try:
                plan = contact_merge_plan(keep=keep, merge=merge)
            except ValidationError as error:
                choices.append({"keep": keep, "merge": merge, "refused": error.messages})
            else:
                _only_visible(plan, request.user)
                choices.append({"keep": keep, "merge": merge, "plan": plan})
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Merge two %(name)s") % {"name": self.opts.verbose_name_plural},
            "opts": self.opts,
            "choices": choices,
            "records": records,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": "merge_selected",
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/contacts/merge_confirmation.html", context)

    def _merge(self, request, records):
        if not self.has_merge_permission(request):
            raise PermissionDenied
        by_pk = {str(record.pk): record for record in records}
        keep = by_pk.get(request.POST.get("keep", ""))
        if keep is None:
            self.message_user(request, gettext("Choose the record to keep."), messages.WARNING)
            return None
        merge = next(record for record in records if record is not keep)
        merged_display = str(merge)
        try:
            kept = contact_merge(keep=keep, merge=merge, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
            return None
        except IntegrityError:
            # A rule of a record moved that the merge does not know (a condition on a
            # unique set): the transaction is rolled back whole.
            self.message_user(
                request,
                gettext("The change conflicts with another record; nothing was saved."),
                messages.ERROR,
            )
            return None
        self.log_change(
            request, kept, gettext("Merged “%(merged)s” into it.") % {"merged": merged_display}
        )
        self.message_user(
            request,
            gettext("“%(merged)s” was merged into “%(kept)s”.")
            % {"merged": merged_display, "kept": kept},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[kept.pk])
        )


@admin.register(Organization)
class OrganizationAdmin(ContactAdmin):
    list_display = ("name", "name_ja", "kind", "country", "parent", "tags_column", "updated_at")
    list_select_related = ("parent",)
    list_filter = ("kind", country_filter("country"), region_filter("country"))
    search_fields = ("name", "name_ja", "notes")
    autocomplete_fields = ("parent",)
    fields = (
        "confirm_new",
        ("name", "name_ja"),
        ("kind", "country"),
        "parent",
        "website",
        "notes",
        ("created_at", "updated_at"),
    )


class PostInline(RecordTabularInline):
    model = Post
    extra = 1
    autocomplete_fields = ("organization",)
    fields = ("organization", "title", "title_ja", "start_date", "end_date")


@admin.register(Person)
class PersonAdmin(ContactAdmin):
    list_display = ("name", "name_ja", "email", "phone", "updated_at")
    search_fields = ("name", "name_ja", "email", "posts__title", "posts__title_ja")
    inlines = (PostInline,)
    fields = (
        "confirm_new",
        ("name", "name_ja"),
        ("email", "phone"),
        "notes",
        ("created_at", "updated_at"),
    )


@admin.register(Post)
class PostAdmin(RecordAdmin):
    list_display = ("person", "title", "title_ja", "organization", "start_date", "end_date")
    list_select_related = ("person", "organization")
    list_filter = ("organization__kind",)
    search_fields = PostFilterSet.search_fields  # as the API's `q`
    autocomplete_fields = ("person", "organization")
    date_hierarchy = "start_date"
