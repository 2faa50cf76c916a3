from django import forms
from django.contrib.auth.models import Group
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accounts.roles import GROUP_LABELS
from exports import resources
from exports.services import query_as_filters
from search.choices import AlertFrequency
from search.models import SavedFilter

# What a list page's query string holds that is not a filter to keep.
NOT_FILTERS = {"page"}


class GroupField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # The roles' names in the reader's language (the group's name is a key).
        return str(GROUP_LABELS.get(obj.name, obj.name))


class SavedFilterForm(forms.Form):
    """Save a list page's filters (its query string) under a name; the services judge
    the rest, as the API's."""

    name = forms.CharField(label=_("Name"), max_length=200)
    shared_with = GroupField(
        label=_("Shared with"),
        queryset=Group.objects.none(),
        required=False,
        empty_label=_("Only me"),
    )
    alert = forms.ChoiceField(
        label=_("E-mail of new and changed records"),
        choices=AlertFrequency.choices,
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shared_with"].queryset = (
            Group.objects.all() if user.is_superuser else user.groups.all()
        ).order_by("name")


class NewSavedFilterForm(SavedFilterForm):
    resource = forms.ChoiceField(
        choices=lambda: [(name, name) for name in resources.exportable()],
        widget=forms.HiddenInput,
    )
    query = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)

    def filters(self) -> dict:
        query = QueryDict(self.cleaned_data["query"], mutable=True)
        for name in NOT_FILTERS:
            query.pop(name, None)
        return query_as_filters(query.urlencode())


def saved_filter_initial(saved_filter: SavedFilter) -> dict:
    return {
        "name": saved_filter.name,
        "shared_with": saved_filter.shared_with,
        "alert": saved_filter.alert,
    }
