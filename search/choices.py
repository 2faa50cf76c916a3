from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertFrequency(models.TextChoices):
    NONE = "", _("No e-mail")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly (Mondays)")
