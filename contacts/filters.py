import django_filters as filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.choices import OrganizationKind
from contacts.models import Organization, Person, Post
from core.api.filters import AseanFilter, CountryFilter, RecordFilterSet, RegionFilter


def current_post_q(prefix=""):
    """A post still held: no end date, or one that has not passed yet."""
    return Q(**{f"{prefix}end_date__isnull": True}) | Q(
        **{f"{prefix}end_date__gte": timezone.localdate()}
    )


def is_current(post) -> bool:
    """The same rule as current_post_q, on a post already read (a prefetched one)."""
    return post.end_date is None or post.end_date >= timezone.localdate()


class OrganizationFilterSet(RecordFilterSet):
    search_fields = ("name", "name_ja", "notes")

    kind = filters.MultipleChoiceFilter(choices=OrganizationKind.choices, label=_("kind"))
    country = CountryFilter(label=_("country"))
    region = RegionFilter(country_field="country")
    asean = AseanFilter(country_field="country")
    parent = filters.ModelMultipleChoiceFilter(
        queryset=Organization.objects.all(), label=_("parent organisation")
    )
    ordering = filters.OrderingFilter(
        fields=("name", "name_ja", "kind", "country", "created_at", "updated_at", "id")
    )

    class Meta:
        model = Organization
        fields = ()


class PersonFilterSet(RecordFilterSet):
    search_fields = ("name", "name_ja", "email")

    # Both read the posts together: `?organization=3&current=true` asks for the people
    # holding a post at 3 now, not for people with some post at 3 and another one now.
    organization = filters.ModelMultipleChoiceFilter(
        field_name="posts__organization",
        queryset=Organization.objects.all(),
        method="filter_posts",
        label=_("organisation"),
    )
    current = filters.BooleanFilter(
        field_name="posts__end_date", method="filter_posts", label=_("current posts")
    )
    ordering = filters.OrderingFilter(
        fields=("name", "name_ja", "email", "created_at", "updated_at", "id")
    )

    class Meta:
        model = Person
        fields = ()

    def filter_posts(self, queryset, name, value):
        organizations = self.form.cleaned_data.get("organization")
        current = self.form.cleaned_data.get("current")
        if name == "current" and organizations:
            return queryset  # already applied together with `organization`
        posts = Post.objects.all()
        if organizations:
            posts = posts.filter(organization__in=organizations)
            queryset = queryset.filter(pk__in=posts.values("person"))
        if current is not None:
            holding = posts.filter(current_post_q()).values("person")
            queryset = (
                queryset.filter(pk__in=holding) if current else queryset.exclude(pk__in=holding)
            )
        return queryset


class PostFilterSet(RecordFilterSet):
    date_ranges = ("start_date", "end_date")
    search_fields = (
        "title",
        "title_ja",
        "person__name",
        "person__name_ja",
        "organization__name",
        "organization__name_ja",
    )

    person = filters.ModelMultipleChoiceFilter(queryset=Person.objects.all(), label=_("person"))
    organization = filters.ModelMultipleChoiceFilter(
        queryset=Organization.objects.all(), label=_("organisation")
    )
    current = filters.BooleanFilter(
        field_name="end_date", method="filter_current", label=_("current posts")
    )
    ordering = filters.OrderingFilter(
        fields=("start_date", "end_date", "title", "person__name", "updated_at", "id")
    )

    class Meta:
        model = Post
        fields = ()

    def filter_current(self, queryset, name, value):
        return queryset.filter(current_post_q()) if value else queryset.exclude(current_post_q())
