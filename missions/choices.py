from django.db import models
from django.utils.translation import gettext_lazy as _


class LeaderRank(models.TextChoices):
    MINISTER = "minister", _("Minister")
    STATE_MINISTER = "state_minister", _("State Minister")
    PARLIAMENTARY_VICE_MINISTER = "parliamentary_vice_minister", _("Parliamentary Vice-Minister")
    SENIOR_OFFICIAL = "senior_official", _("Senior official")
    OTHER = "other", _("Other")


# The ranks whose meetings count as top sales (トップセールス).
TOP_SALES_RANKS = (
    LeaderRank.MINISTER,
    LeaderRank.STATE_MINISTER,
    LeaderRank.PARLIAMENTARY_VICE_MINISTER,
)


class MissionKind(models.TextChoices):
    OVERSEAS_VISIT = "overseas_visit", _("Overseas visit")
    PUBLIC_PRIVATE_MISSION = "public_private_mission", _("Public-private infrastructure mission")
    HOSTED_MEETING = "hosted_meeting", _("Meeting with a visiting dignitary")
    CONFERENCE = "conference", _("International conference or side event")
    ONLINE = "online", _("Online")


class MissionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
