"""The small forms of the analysts' pages: which year, which edition, which country.
The filter forms of the lists are not here: they are the API's FilterSets' own."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.regions import JAPAN
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
            (edition.edition_year, edition.name) for edition in editions
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
