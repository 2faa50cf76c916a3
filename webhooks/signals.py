"""Every change of a record the API publishes writes its deliveries in the change's own
transaction (webhooks.services.deliveries_for_change)."""

from webhooks.choices import Event
from webhooks.registry import resource_for


def record_saved(sender, instance, created, raw=False, **kwargs):
    # raw: a fixture being loaded, not a change anyone made.
    if raw or resource_for(sender) is None:
        return
    from webhooks.services import deliveries_for_change

    deliveries_for_change(instance=instance, event=Event.CREATED if created else Event.UPDATED)


def record_deleted(sender, instance, **kwargs):
    if resource_for(sender) is None:
        return
    from webhooks.services import deliveries_for_change

    deliveries_for_change(instance=instance, event=Event.DELETED)
