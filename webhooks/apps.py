from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from webhooks import signals

        # Every model's saves and deletes: the receivers keep only the API's records.
        post_save.connect(signals.record_saved, dispatch_uid="webhooks.record_saved")
        post_delete.connect(signals.record_deleted, dispatch_uid="webhooks.record_deleted")
