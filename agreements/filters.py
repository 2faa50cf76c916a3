import datetime

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.choices import AgreementKind, AgreementStatus, DocumentLanguage, Renewal
from agreements.models import Agreement, AgreementDocument
from contacts.models import Organization, Person
from core.api.filters import (
    AseanFilter,
    CountryFilter,
    FiscalYearFilter,
    RecordFilterSet,
    RegionFilter,
    YearFilter,
)
from core.sectors import SectorCode
from missions.models import Mission
from projects.models import Project

# The longest look-ahead `expiring_within` accepts: ten years.
# Agreements expiring within this many days are the ones to watch (the dashboard's list).
EXPIRING_WITHIN_DAYS = 180
MAX_EXPIRING_WITHIN_DAYS = 3650


class DaysFilter(filters.NumberFilter):
    """A whole number of days."""

    field_class = forms.IntegerField


class AgreementFilterSet(RecordFilterSet):
    date_ranges = ("signed_on", "effective_on", "expires_on")
    search_fields = (
        "title",
        "title_ja",
        "scope",
        "counterpart_organizations__name",
        "counterpart_organizations__name_ja",
    )

    country = CountryFilter(field_name="counterpart_country", label=_("counterpart country"))
    region = RegionFilter(country_field="counterpart_country")
    # Membership on the signing date: an agreement with Timor-Leste signed before it
    # joined is not an ASEAN agreement.
    asean = AseanFilter(country_field="counterpart_country", date_field="signed_on")
    target_country = CountryFilter(method="filter_target_country", label=_("target countries"))
    kind = filters.MultipleChoiceFilter(choices=AgreementKind.choices, label=_("kind"))
    status = filters.MultipleChoiceFilter(choices=AgreementStatus.choices, label=_("status"))
    renewal = filters.MultipleChoiceFilter(choices=Renewal.choices, label=_("renewal"))
    sector = filters.MultipleChoiceFilter(
        field_name="sectors__code", choices=SectorCode.choices, distinct=True, label=_("sector")
    )
    organization = filters.ModelMultipleChoiceFilter(
        field_name="counterpart_organizations",
        queryset=Organization.objects.all(),
        distinct=True,
        label=_("counterpart organisations"),
    )
    signatory = filters.ModelMultipleChoiceFilter(
        field_name="japanese_signatory",
        queryset=Organization.objects.all(),
        label=_("Japanese signatory"),
    )
    signed_by = filters.ModelMultipleChoiceFilter(
        queryset=Person.objects.all(), label=_("signed by")
    )
    project = filters.ModelMultipleChoiceFilter(
        field_name="projects", queryset=Project.objects.all(), distinct=True, label=_("projects")
    )
    mission = filters.ModelMultipleChoiceFilter(
        field_name="signed_at_meeting__mission", queryset=Mission.objects.all(), label=_("mission")
    )
    expiring_within = DaysFilter(
        method="filter_expiring_within",
        min_value=0,
        max_value=MAX_EXPIRING_WITHIN_DAYS,
        label=_("expiring within (days)"),
    )
    year = YearFilter(field_name="signed_on", label=_("year"))
    fiscal_year = FiscalYearFilter(field_name="signed_on", label=_("fiscal year"))
    ordering = filters.OrderingFilter(
        fields=(
            "signed_on",
            "effective_on",
            "expires_on",
            "title",
            "kind",
            "status",
            "counterpart_country",
            "updated_at",
            "id",
        )
    )

    class Meta:
        model = Agreement
        fields = ()

    def filter_target_country(self, queryset, name, value: list[str]):
        # target_countries is stored as "VN,IN": two-letter codes never match across
        # the comma, so a substring test finds exactly the code.
        condition = Q()
        for code in value:
            condition |= Q(target_countries__icontains=code)
        return queryset.filter(condition)

    def filter_expiring_within(self, queryset, name, value: int):
        """Agreements still signed or in force whose end falls in the next N days."""
        today = timezone.localdate()
        return queryset.filter(
            status__in=(AgreementStatus.SIGNED, AgreementStatus.IN_FORCE),
            expires_on__range=(today, today + datetime.timedelta(days=int(value))),
        )


class AgreementDocumentFilterSet(RecordFilterSet):
    search_fields = ("description", "file")

    agreement = filters.ModelMultipleChoiceFilter(
        queryset=Agreement.objects.all(), label=_("agreement")
    )
    language = filters.MultipleChoiceFilter(choices=DocumentLanguage.choices, label=_("language"))
    ordering = filters.OrderingFilter(fields=("agreement", "language", "updated_at", "id"))

    class Meta:
        model = AgreementDocument
        fields = ()
