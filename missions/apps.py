from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MissionsConfig(AppConfig):
    name = "missions"
    verbose_name = _("Top sales")

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

        from missions import signals
        from missions.models import Meeting, Mission

        pre_save.connect(signals.meeting_saving, sender=Meeting, dispatch_uid="missions.saving")
        post_save.connect(signals.meeting_saved, sender=Meeting, dispatch_uid="missions.saved")
        pre_delete.connect(
            signals.meeting_deleting, sender=Meeting, dispatch_uid="missions.deleting"
        )
        post_delete.connect(
            signals.meeting_deleted, sender=Meeting, dispatch_uid="missions.deleted"
        )
        pre_save.connect(
            signals.mission_saving, sender=Mission, dispatch_uid="missions.mission_saving"
        )
        post_save.connect(
            signals.mission_saved, sender=Mission, dispatch_uid="missions.mission_saved"
        )
