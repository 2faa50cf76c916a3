from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Shared vocabularies")

    def ready(self):
        # Registers the OpenAPI descriptions of our API pieces.
        from core.api import schema  # noqa: F401
        from core.folding import connect_signals

        # fold() in SQL on SQLite, for the free-text search (core.folding).
        connect_signals()
