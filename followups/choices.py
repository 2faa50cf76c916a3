from django.db import models
from django.utils.translation import gettext_lazy as _


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# The records a follow-up may be attached to, as (app_label, model).
FOLLOWABLE_MODELS = (
    ("missions", "mission"),
    ("missions", "meeting"),
    ("agreements", "agreement"),
    ("projects", "project"),
)

# The same, as the API names them: "missions.meeting" -> ("missions", "meeting").
TARGET_TYPES = {
    f"{app_label}.{model}": (app_label, model) for app_label, model in FOLLOWABLE_MODELS
}
