from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Shared vocabularies")

    def ready(self):
        # Registers the OpenAPI descriptions of our API pieces.
        from core.api import schema  # noqa: F401
        from core.folding import connect_signals
        from core.validators import apply_text_rule, is_project_app

        # Every model is loaded by now (ready() comes after): one rule for the
        # characters of every text field of ours.
        apply_text_rule([config for config in apps.get_app_configs() if is_project_app(config)])

        # fold() in SQL on SQLite, for the free-text search (core.folding).
        connect_signals()

        # What a reader may not see, kept between requests, forgotten on every change
        # of a level, an access list or a group's members (core.classification).
        from core.classification import connect_hidden

        connect_hidden()
