"""Sectors (分野): one for a project, several for missions and agreements."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SectorCode(models.TextChoices):
    RAILWAY = "railway", _("Railway")
    ROAD = "road", _("Road")
    PORT = "port", _("Port")
    AIRPORT = "airport", _("Airport")
    WATER = "water", _("Water resources and rivers")
    SEWERAGE = "sewerage", _("Sewerage")
    URBAN_DEVELOPMENT = "urban_development", _("Urban development and real estate")
    DISASTER_PREVENTION = "disaster_prevention", _("Disaster prevention")
    SMART_CITY = "smart_city", _("Smart city")
    LOGISTICS = "logistics", _("Logistics")
    OTHER = "other", _("Other")
