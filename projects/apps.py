from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_save

        from projects import signals
        from projects.models import WatchList, WatchListEntry

        for signal, receiver, sender, uid in (
            (pre_save, signals.entry_saving, WatchListEntry, "entry_saving"),
            (post_save, signals.entry_saved, WatchListEntry, "entry_saved"),
            (post_delete, signals.entry_deleted, WatchListEntry, "entry_deleted"),
            (pre_save, signals.edition_saving, WatchList, "edition_saving"),
            (post_save, signals.edition_saved, WatchList, "edition_saved"),
            (post_delete, signals.edition_deleted, WatchList, "edition_deleted"),
        ):
            signal.connect(receiver, sender=sender, dispatch_uid=f"projects.{uid}")
