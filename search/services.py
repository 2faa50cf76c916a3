"""The one door through which a search, and a saved filter, reads records."""

from django.db.models import QuerySet


def searchable_queryset(model, user) -> QuerySet:
    """The records of `model` that `user` may find.

    Every query of the search (and of saved filters and their alerts) starts here, so
    that what a user may see is decided in one place. Today that is every record of a
    model the user may view (the callers check the model's view permission); this is
    where classification (need-to-know) applies once it exists:
    `model.objects.visible_to(user)` for the models that have it."""
    return model._default_manager.all()
