from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    ADMIN = "admin", _("Admin")
    API = "api", _("API")
    PAGE = "page", _("Analysts' page")
    EXPORT = "export", _("Export")
    DOWNLOAD = "download", _("Download")
    SYSTEM = "system", _("System")
