from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import APIToken, User
from accounts.names import display_name
from accounts.roles import GROUP_LABELS
from core.admin import ViewOnlyHistoryAdmin


def group_label(group) -> str:
    """A role by its name in the reader's language (データ入力, not "Data entry"); the
    stored name stays the English code the migrations and the code refer to."""
    return str(GROUP_LABELS.get(group.name, group.name))


class GroupChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return group_label(obj)


class GroupFilter(admin.SimpleListFilter):
    title = _("group")
    parameter_name = "group"

    def lookups(self, request, model_admin):
        return [(group.pk, group_label(group)) for group in Group.objects.order_by("name")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        # Only a group offered: any other value ("²", 23 digits) would reach int().
        chosen = {str(pk) for pk, _label in self.lookup_choices}
        if self.value() not in chosen:
            return queryset.none()
        return queryset.filter(groups=self.value())


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    list_display = ("label",)

    @admin.display(description=_("role"), ordering="name")
    def label(self, group):
        return group_label(group)


@admin.register(User)
class UserAdmin(ViewOnlyHistoryAdmin, DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Preferences"), {"fields": ("language",)}),
    )
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", GroupFilter)

    def autocomplete_result(self, user):
        # An assignee is chosen by name (山田 花子), the user name beside it.
        name = display_name(user)
        return {"text": name if name == user.get_username() else f"{name} ({user.get_username()})"}

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["form_class"] = GroupChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(APIToken)
class APITokenAdmin(ViewOnlyHistoryAdmin):
    list_display = (
        "name",
        "prefix",
        "user",
        "can_write",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_select_related = ("user",)
    list_filter = ("can_write",)
    search_fields = ("name", "prefix", "user__username")
    autocomplete_fields = ("user",)
    # A revoked token stays revoked: revocation is the action below, never undone.
    readonly_fields = ("prefix", "revoked_at", "last_used_at", "created_at")
    fields = (
        "name",
        "user",
        "can_write",
        "expires_at",
        "revoked_at",
        "prefix",
        "last_used_at",
        "created_at",
    )
    actions = ("revoke",)

    def save_model(self, request, obj, form, change):
        if not change:
            key = obj.issue_key()
            obj.save()
            # Only the hash is kept: this message is the one chance to copy the key.
            self.message_user(
                request,
                _("The key of “%(name)s” is %(key)s — copy it now, it will not be shown again.")
                % {"name": obj.name, "key": key},
                messages.WARNING,
            )
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Revoke selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        count = 0
        # One by one rather than update(): each revocation is kept in the token's history.
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )
