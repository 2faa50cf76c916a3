from django.contrib import admin
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.api.filters import FreeTextFilter
from core.classification import sees_everything
from exports import resources
from exports.models import ExportJob

# In place of the words another user searched for.
WITHHELD = "…"


def query_as_shown(job, user) -> str:
    """The job's filters as `user` may read them. The words searched for (`q`) may quote
    a level-3 record's title that its asker may read and `user` may not: they are shown
    to the asker and to superusers only. Ids name no record."""
    if job.user_id == user.pk or sees_everything(user):
        return job.query
    try:
        filterset_class = resources.exportable()[job.resource][0].filterset_class
    except KeyError:
        filterset_class = None
    free_text = {
        name
        for name, declared in (filterset_class.base_filters if filterset_class else {}).items()
        if isinstance(declared, FreeTextFilter)
    }
    params = QueryDict(job.query, mutable=True)
    for name in free_text & set(params):
        params.setlist(name, [WITHHELD for _value in params.getlist(name)])
    return params.urlencode(safe=WITHHELD)


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Read-only: for an administrator to see what is being exported, and by whom."""

    list_display = ("created_at", "user", "resource", "format", "status", "progress", "row_count")
    list_select_related = ("user",)
    list_filter = ("status", "format", "resource")
    search_fields = ("user__username", "resource")
    date_hierarchy = "created_at"

    def get_fields(self, request, obj=None):
        fields = [field.name for field in ExportJob._meta.fields if field.name != "id"]
        # The filters as the reader may read them (query_as_shown), not the stored text.
        return ["filters" if name == "query" else name for name in fields]

    def get_readonly_fields(self, request, obj=None):
        return [*(field.name for field in ExportJob._meta.fields), "filters"]

    def get_object(self, request, object_id, from_field=None):
        job = super().get_object(request, object_id, from_field)
        if job is not None:
            job.query_shown = query_as_shown(job, request.user)
        return job

    @admin.display(description=_("filters"))
    def filters(self, job):
        return getattr(job, "query_shown", WITHHELD)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
