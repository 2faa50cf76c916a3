from django.contrib import admin

from contacts.filters import PostFilterSet
from contacts.models import Organization, Person, Post
from core.admin import RecordAdmin, RecordTabularInline, country_filter, region_filter


@admin.register(Organization)
class OrganizationAdmin(RecordAdmin):
    list_display = ("name", "name_ja", "kind", "country", "parent", "updated_at")
    list_select_related = ("parent",)
    list_filter = ("kind", country_filter("country"), region_filter("country"))
    search_fields = ("name", "name_ja", "notes")
    autocomplete_fields = ("parent",)
    fields = (
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
class PersonAdmin(RecordAdmin):
    list_display = ("name", "name_ja", "email", "phone", "updated_at")
    search_fields = ("name", "name_ja", "email", "posts__title", "posts__title_ja")
    inlines = (PostInline,)
    fields = (("name", "name_ja"), ("email", "phone"), "notes", ("created_at", "updated_at"))


@admin.register(Post)
class PostAdmin(RecordAdmin):
    list_display = ("person", "title", "title_ja", "organization", "start_date", "end_date")
    list_select_related = ("person", "organization")
    list_filter = ("organization__kind",)
    search_fields = PostFilterSet.search_fields  # as the API's `q`
    autocomplete_fields = ("person", "organization")
    date_hierarchy = "start_date"
