"""The one way a record with rules is written: validate everything, then save."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import get_m2m_reverse_field_name


def validated_save(instance, *, exclude=None):
    """Run every model rule (fields, clean(), unique and check constraints) and save,
    so that the admin, the API and imports can store nothing the others would refuse."""
    instance.full_clean(exclude=exclude)
    with transaction.atomic():
        instance.save()
    return instance


# The history's reason for a record brought back (a value tools may match, not a label).
RESTORED_REASON = "Restored"


def record_restore(*, deleted, user=None):
    """Bring a deleted record back from its history: its fields as they were when it was
    deleted, its many-to-many relations as its history last recorded them (those whose
    other record still exists). The restore is itself a version, with the reason
    "Restored". Refused (ValidationError) if the record exists, or if its rules no longer
    hold: a record it refers to deleted too, a unique name taken since."""
    model = deleted.instance_type
    pk_name = model._meta.pk.attname
    pk = getattr(deleted, pk_name)
    with transaction.atomic():
        if model._default_manager.filter(pk=pk).exists():
            raise ValidationError(_("This record exists: there is nothing to restore."))
        instance = deleted.instance
        instance.full_clean()
        instance._change_reason = RESTORED_REASON
        if user is not None:
            instance._history_user = user
        instance.save(force_insert=True)
        # The row was created when it was first created, not now (auto_now_add).
        created_at = getattr(deleted, "created_at", None)
        if created_at is not None:
            model._default_manager.filter(pk=pk).update(created_at=created_at)
            model.history.filter(**{pk_name: pk}, history_id__gt=deleted.history_id).update(
                created_at=created_at
            )
            instance.created_at = created_at
        # The deletion's own version has no relations left (Django removes them first):
        # the last version before it has them.
        before = (
            model.history.filter(**{pk_name: pk}, history_date__lte=deleted.history_date)
            .exclude(history_type="-")
            .order_by("-history_date", "-history_id")
            .first()
        )
        for field in getattr(deleted, "_history_m2m_fields", ()) if before else ():
            target = get_m2m_reverse_field_name(field)
            ids = [getattr(row, f"{target}_id") for row in getattr(before, field.name).all()]
            existing = field.related_model._default_manager.filter(pk__in=ids)
            getattr(instance, field.name).set(existing)
    return instance
