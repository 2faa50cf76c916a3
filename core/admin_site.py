"""The admin's index and menu as staff read them (issue 17, item 2): the business
records first, in the order of the work (top sales, agreements, projects, the directory,
follow-ups, notes), administration last (users and tokens, webhooks, login records, read audit, exports, imports, saved searches),
every group named in the interface's language.

Installed as Django's default admin site (INSTALLED_APPS names
core.app_configs.RecordsAdminConfig in place of django.contrib.admin), so every `admin.site.register` lands here."""

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView

# The apps in the order of the index; inside each, the models in this order (a model
# not named follows, by name). An app not named here (one added later) comes after the
# business records, before administration.
BUSINESS = (
    ("missions", ("mission", "meeting")),
    ("agreements", ("agreement",)),
    ("projects", ("project", "watchlist", "watchlistentry", "orderfigure")),
    ("contacts", ("organization", "person", "post")),
    ("followups", ("followup",)),
    ("notes", ("note",)),
    ("core", ("tag",)),
)
ADMINISTRATION = (
    ("accounts", ("user", "apitoken")),
    ("auth", ("group",)),
    ("webhooks", ("subscription", "delivery")),
    ("axes", ("accessattempt", "accessfailurelog", "accesslog")),
    ("audit", ("readevent",)),
    ("exports", ("exportjob",)),
    ("imports", ("importjob",)),
    ("search", ("savedfilter", "savedfilterdigest")),
)


class RecordsAdminSite(admin.AdminSite):
    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        order = {label: index for index, (label, _models) in enumerate(BUSINESS)}
        after_business = len(BUSINESS)
        order.update(
            {label: after_business + 1 + index for index, (label, _m) in enumerate(ADMINISTRATION)}
        )
        models = dict(BUSINESS + ADMINISTRATION)
        for app in app_list:
            wanted = models.get(app["app_label"], ())
            app["models"].sort(
                key=lambda model, wanted=wanted: (
                    wanted.index(model["object_name"].lower())
                    if model["object_name"].lower() in wanted
                    else len(wanted),
                    str(model["name"]),
                )
            )
        # Python's sort is stable: apps not named keep their order by name.
        app_list.sort(key=lambda app: order.get(app["app_label"], after_business))
        return app_list

    def autocomplete_view(self, request):
        return RecordsAutocompleteView.as_view(admin_site=self)(request)


class RecordsAutocompleteView(AutocompleteJsonView):
    """The admin's autocomplete, whose results a model admin may word and complete:
    `autocomplete_result(obj)` returns keys that replace or join {"id", "text"} (a
    meeting reads "2019年8月29日 ガーナ — TICAD7 … (石井啓一 大臣)" and carries its date and
    country, which the agreement form copies)."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        completed = getattr(self.model_admin, "autocomplete_result", None)
        return {**result, **completed(obj)} if completed else result
