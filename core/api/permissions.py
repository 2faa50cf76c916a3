from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

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


class TokenScope(permissions.BasePermission):
    """A read-only token reads, even when its user could write."""

    message = _("This API token is read-only.")

    def has_permission(self, request, view):
        token = request.auth
        if isinstance(token, APIToken) and not token.can_write:
            return request.method in permissions.SAFE_METHODS
        return True
