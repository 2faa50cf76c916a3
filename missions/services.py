from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.services import validated_save
from missions.choices import MissionStatus
from missions.models import Mission


@transaction.atomic
def mission_complete(*, mission: Mission) -> Mission:
    """Mark a mission as completed: from then on its meetings count as top sales."""
    if mission.status == MissionStatus.CANCELLED:
        raise ValidationError({"status": _("A cancelled mission cannot be marked completed.")})
    mission.status = MissionStatus.COMPLETED
    return validated_save(mission)


def mission_check_meeting_dates(*, mission: Mission) -> None:
    """A mission's dates must still cover every one of its saved meetings."""
    if not mission.pk:
        return
    outside = mission.meetings.exclude(date__range=(mission.start_date, mission.end_date))
    if outside.exists():
        raise ValidationError(
            {"start_date": _("Some meetings of this mission fall outside these dates.")}
        )
