from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from accounts import permissions
        from accounts.signals import record_last_login

        # A user's permissions are kept in the cache between requests: any change of
        # who holds which moves them all on (accounts.permissions).
        permissions.connect()

        # Django saves the user at each login, which would add a version to the
        # history of who gave whom which rights; a login is no such change.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(record_last_login, dispatch_uid="update_last_login")
