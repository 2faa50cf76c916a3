"""What every data-entry screen shares: history, timestamps, region and country filters."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from simple_history.admin import SimpleHistoryAdmin

from core.counts import EstimatedCountPaginator
from core.fiscal import fiscal_year_of, fiscal_year_range
from core.models import Sector
from core.regions import Region, countries_in


class VersionedModelForm(forms.ModelForm):
    """Carries the version of the record the user opened, so that saving over someone
    else's later edit is refused instead of silently undoing it."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean(self):
        cleaned_data = super().clean()
        opened = cleaned_data.get("version")
        # The admin saves inside one transaction: the claim holds until it commits.
        if self.instance.pk and opened and not self.instance.claim_version(opened):
            raise forms.ValidationError(
                _(
                    "Someone else saved this record after you opened it. Open it again to "
                    "see their changes, then make yours."
                ),
                code="stale",
            )
        return cleaned_data


class RecordAdmin(SimpleHistoryAdmin):
    """Base for every record: its history is one click away, timestamps are read-only,
    sectors are ticked as check boxes, and a stale edit is refused."""

    form = VersionedModelForm
    readonly_fields = ("created_at", "updated_at")
    change_form_template = "admin/record_change_form.html"
    # A million meetings are not counted on every page: an unfiltered list shows
    # PostgreSQL's estimate of the table's size (core.counts), a filtered one its exact
    # count without the table's total beside it.
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.remote_field.model is Sector:
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def country_filter(field_name, title=None):
    """A filter listing only the countries that occur, by name, in one fixed query."""

    class CountryFilter(admin.SimpleListFilter):
        parameter_name = field_name

        def lookups(self, request, model_admin):
            codes = (
                model_admin.model._default_manager.order_by()
                .values_list(field_name, flat=True)
                .distinct()
            )
            return sorted(
                ((code, countries.name(code)) for code in codes if code), key=lambda c: c[1]
            )

        def queryset(self, request, queryset):
            if self.value():
                return queryset.filter(**{field_name: self.value()})
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
                return queryset.filter(**{f"{country_field_name}__in": countries_in(self.value())})
            return queryset

    return RegionFilter


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
