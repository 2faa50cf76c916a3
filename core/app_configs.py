"""Application configurations of other packages, as this project installs them
(INSTALLED_APPS): kept apart from the code they name, which may be imported only once
the apps are loaded."""

from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class RecordsAdminConfig(AdminConfig):
    default_site = "core.admin_site.RecordsAdminSite"


class LoginRecordsConfig(AxesAppConfig):
    """django-axes, named for staff: its records are the logins tried and refused."""

    verbose_name = _("Login records")
