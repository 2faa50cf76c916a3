from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from accounts import permissions as permission_cache
from accounts.models import APIToken


class ModelPermissions(permissions.DjangoModelPermissions):
    """The groups' model permissions, reading included: Analyst reads, Data entry
    writes, nobody without a role sees anything."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view):
        # A signed-in user's permissions from the cache, as a token's are
        # (accounts.permissions): the check itself is Django's.
        permission_cache.load(getattr(request, "user", None))
        return super().has_permission(request, view)

    def _queryset(self, view):
        # Only the model is read here. RecordViewSet.get_queryset narrows the view's
        # `queryset` to what the reader may see (and its prefetches), the same model:
        # building that for this check cost a request some 5 ms of Python for nothing.
        from core.api.views import RecordViewSet

        if (
            isinstance(view, RecordViewSet)
            and type(view).get_queryset is RecordViewSet.get_queryset
            and getattr(view, "queryset", None) is not None
        ):
            return view.queryset
        return super()._queryset(view)


class TokenScope(permissions.BasePermission):
    """A read-only token reads, even when its user could write."""

    message = _("This API token is read-only.")

    def has_permission(self, request, view):
        token = request.auth
        if isinstance(token, APIToken) and not token.can_write:
            return request.method in permissions.SAFE_METHODS
        return True
