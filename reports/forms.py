"""The small forms of the analysts' pages: which year, which edition, which country,
which list to export in the background. The filter forms of the lists are not here:
they are the API's FilterSets' own."""

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from rest_framework.exceptions import ValidationError as FilterRefused

from core.regions import JAPAN
from exports import resources
from exports.choices import ExportFormat
from reports.widgets import LongSelect


class YearForm(forms.Form):
    """The year of the dashboard's sentence, by calendar or fiscal year."""

    CALENDAR, FISCAL = "calendar", "fiscal"

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    basis = forms.ChoiceField(
        label=_("Counted by"),
        choices=[(CALENDAR, _("calendar year")), (FISCAL, _("fiscal year (April–March)"))],
        required=False,
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, year) for year in years]


class EditionForm(forms.Form):
    edition = forms.TypedChoiceField(label=_("Edition"), coerce=int, required=False)

    def __init__(self, *args, editions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edition"].choices = [
            (edition.edition_year, str(edition)) for edition in editions
        ]


def counterpart_countries():
    # Japan is never a counterpart: a brief of it would be empty by definition. Sorted
    # by the name in the page's language (in Japanese, kana order).
    return sorted(
        ((code, name) for code, name in countries if code != JAPAN), key=lambda row: str(row[1])
    )


class CountryForm(forms.Form):
    country = forms.ChoiceField(
        label=_("Country"), choices=counterpart_countries, widget=LongSelect
    )


class BackgroundExportForm(forms.Form):
    """A list page's "prepare in the background": the list, the format, and the page's
    own query string. The page's counterpart of exports.api's ExportRequestSerializer:
    the list endpoint judges the filters, as it would in a GET."""

    resource = forms.ChoiceField(choices=lambda: [(name, name) for name in resources.exportable()])
    format = forms.ChoiceField(choices=ExportFormat.choices)
    query = forms.CharField(required=False, strip=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        resource, query = cleaned.get("resource"), cleaned.get("query", "")
        if not resource:
            return cleaned
        # A misspelt filter would otherwise export everything.
        unknown = set(QueryDict(query)) - resources.filter_names(resource)
        if unknown:
            raise forms.ValidationError(
                _("There is no such filter: %(names)s."),
                params={"names": ", ".join(sorted(unknown))},
            )
        if self.user.has_perm(resources.view_permission(resource)):
            try:
                resources.filtered_queryset(resources.list_view(resource, self.user, query))
            except FilterRefused as error:
                raise forms.ValidationError(
                    _("Some filters are not valid: correct them on the list first.")
                ) from error
        return cleaned
