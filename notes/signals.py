"""Notes are at least as restricted as the record they are on (core.classification):
raising a record's classification raises theirs."""

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_save
from django.dispatch import receiver

from agreements.models import Agreement
from core.classification import raise_attached
from missions.models import Meeting, Mission
from notes.models import Note
from projects.models import Project


def _raise_notes(model, ids, level):
    content_type = ContentType.objects.get_for_model(model)
    raise_attached(
        Note._default_manager.filter(content_type=content_type, object_id__in=ids), level
    )


@receiver(post_save, sender=Mission, dispatch_uid="notes_follow_mission_classification")
def mission_saved(sender, instance, raw=False, **kwargs):
    if raw or instance.classification <= 1:
        return
    _raise_notes(Mission, [instance.pk], instance.classification)
    # Its meetings were raised with it (Mission.save), and so are their notes.
    meetings = list(Meeting._default_manager.filter(mission=instance).values_list("pk", flat=True))
    if meetings:
        _raise_notes(Meeting, meetings, instance.classification)


@receiver(post_save, sender=Meeting, dispatch_uid="notes_follow_meeting_classification")
@receiver(post_save, sender=Agreement, dispatch_uid="notes_follow_agreement_classification")
@receiver(post_save, sender=Project, dispatch_uid="notes_follow_project_classification")
def record_saved(sender, instance, raw=False, **kwargs):
    if raw or instance.classification <= 1:
        return
    _raise_notes(sender, [instance.pk], instance.classification)
