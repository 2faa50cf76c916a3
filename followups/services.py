import datetime

from django.db import transaction
from django.utils import timezone

from core.services import validated_save
from followups.choices import FollowUpStatus
from followups.models import FollowUp


@transaction.atomic
def followup_mark_done(*, followup: FollowUp, done_on: datetime.date | None = None) -> FollowUp:
    """Close a follow-up as done (today unless told otherwise)."""
    followup.status = FollowUpStatus.DONE
    followup.done_on = done_on or timezone.localdate()
    return validated_save(followup)
