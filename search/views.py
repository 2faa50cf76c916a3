"""/reports/search/?q=: search everything, the analysts' page (search.selectors)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from accounts.roles import GROUP_LABELS
from core import audit
from exports import resources
from search import selectors, services
from search.forms import NewSavedFilterForm, SavedFilterForm, saved_filter_initial
from search.kinds import BY_KEY
from search.models import SavedFilter

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
    """Where a hit links: a mission's, meeting's, agreement's or project's page on the
    analysts' pages; other records' page in the admin (read-only for those who may only
    view it), for staff."""
    from reports.views import record_page_url

    page = record_page_url(user, record)
    if page is not None:
        return page
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
                audit.note_records(
                    self.request, audit.CHANNEL_PAGE, [hit.record for hit in group.hits]
                )
                for hit in group.hits:
                    hit.page = record_page(self.request.user, hit.kind.page_record(hit.record))
        context.update(
            form=form,
            q=q,
            kind=BY_KEY.get(kind),
            groups=groups,
            searched=bool(selectors.terms_of(q)),
            total=sum(group.count for group in groups),
        )
        return context


# -- saved filters -----------------------------------------------------------------------


class SavedFiltersView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """My saved filters and those shared with my groups: open, rename, re-share, set the
    e-mail, delete (mine). A list page's "Save these filters" posts here."""

    template_name = "search/saved_filters.html"

    def has_permission(self):
        return bool(selectors.kinds_for(self.request.user))

    def post(self, request, *args, **kwargs):
        form = NewSavedFilterForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                saved_filter = services.saved_filter_create(
                    owner=request.user,
                    name=form.cleaned_data["name"],
                    resource=form.cleaned_data["resource"],
                    filters=form.filters(),
                    shared_with=form.cleaned_data["shared_with"],
                    alert=form.cleaned_data["alert"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Saved: %(name)s") % {"name": saved_filter.name})
                return redirect(services.list_address(saved_filter) or "search:saved-filters")
        return self.render_to_response(self.get_context_data(new_form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        saved = list(services.saved_filters_visible_to(user).order_by("resource", "name", "id"))
        for saved_filter in saved:
            saved_filter.address = services.list_address(saved_filter)
            saved_filter.mine = saved_filter.owner_id == user.pk
            if saved_filter.shared_with:
                name = saved_filter.shared_with.name
                saved_filter.shared_label = GROUP_LABELS.get(name, name)
            saved_filter.label = resources.model_of(saved_filter.resource)._meta.verbose_name_plural
            if saved_filter.mine:
                saved_filter.form = SavedFilterForm(
                    user=user,
                    initial=saved_filter_initial(saved_filter),
                    prefix=f"f{saved_filter.pk}",
                )
        changed = kwargs.get("changed")
        if changed is not None:
            for saved_filter in saved:
                if saved_filter.pk == changed[0]:
                    saved_filter.form = changed[1]
        context.update(saved=saved)
        return context


class SavedFilterChangeView(SavedFiltersView):
    """POST: rename, re-share, change the e-mail of one of my saved filters; or delete it."""

    http_method_names = ["post"]

    def post(self, request, *args, pk, **kwargs):
        saved_filter = get_object_or_404(SavedFilter, pk=pk, owner=request.user)
        if "delete" in request.POST:
            services.saved_filter_delete(saved_filter=saved_filter)
            messages.success(request, _("Deleted: %(name)s") % {"name": saved_filter.name})
            return redirect("search:saved-filters")
        form = SavedFilterForm(request.POST, user=request.user, prefix=f"f{pk}")
        if form.is_valid():
            try:
                services.saved_filter_update(saved_filter=saved_filter, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Saved: %(name)s") % {"name": saved_filter.name})
                return redirect("search:saved-filters")
        context = self.get_context_data(changed=(saved_filter.pk, form))
        return self.render_to_response(context, status=400)


def _add_errors(form, error: ValidationError):
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
