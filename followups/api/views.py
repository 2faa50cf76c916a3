from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.api.export import Column, columns
from core.api.views import RecordViewSet
from followups.api.serializers import FollowUpSerializer
from followups.filters import FollowUpFilterSet
from followups.models import FollowUp


def _target_type(target):
    return target._meta.verbose_name


def _overdue(status, due_on):
    return _("Yes") if FollowUp(status=status, due_on=due_on).is_overdue else _("No")


class FollowUpViewSet(RecordViewSet):
    """What was promised, attached to a mission, meeting, agreement or project
    (`target`), with who does it and by when."""

    # One query per kind of target, however many follow-ups the page shows.
    queryset = FollowUp.objects.select_related("assignee").prefetch_related("target")
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilterSet
    export_columns = [
        *columns(FollowUp, "title"),
        Column(
            FollowUp._meta.get_field("content_type").verbose_name, "target", display=_target_type
        ),
        Column(gettext_lazy("target"), "target"),
        *columns(FollowUp, "assignee", "due_on", "status", "done_on"),
        Column(gettext_lazy("overdue"), ("status", "due_on"), transform=_overdue),
        *columns(FollowUp, "description"),
    ]
