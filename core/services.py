"""The one way a record with rules is written: validate everything, then save."""

from django.db import transaction


def validated_save(instance, *, exclude=None):
    """Run every model rule (fields, clean(), unique and check constraints) and save,
    so that the admin, the API and imports can store nothing the others would refuse."""
    instance.full_clean(exclude=exclude)
    with transaction.atomic():
        instance.save()
    return instance
