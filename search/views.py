"""/reports/search/?q=: search everything, the analysts' page (search.selectors)."""

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from search import selectors
from search.kinds import BY_KEY

# Records of one kind shown when the page is asked for that kind alone (?kind=).
ONE_KIND_LIMIT = 100
EACH_KIND_LIMIT = 10


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=selectors.MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autofocus": True}),
    )
    kind = forms.ChoiceField(required=False, choices=[("", "")] + [(k, k) for k in BY_KEY])


def record_page(user, record) -> str | None:
    """Where a hit links: the record's page in the admin (read-only for those who may
    only view it), for staff."""
    if not user.is_staff:
        return None
    meta = record._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk])


class SearchPageView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    template_name = "search/search.html"

    def has_permission(self):
        return bool(selectors.kinds_for(self.request.user))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = SearchForm(self.request.GET or None)
        groups, q, kind = [], "", ""
        if form.is_valid():
            q, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
            groups = selectors.search_everything(
                self.request.user,
                q,
                limit=ONE_KIND_LIMIT if kind else EACH_KIND_LIMIT,
                kinds=[kind] if kind else None,
            )
            for group in groups:
                for hit in group.hits:
                    hit.page = record_page(self.request.user, hit.record)
        context.update(
            form=form,
            q=q,
            kind=BY_KEY.get(kind),
            groups=groups,
            searched=bool(selectors.terms_of(q)),
            total=sum(group.count for group in groups),
        )
        return context
