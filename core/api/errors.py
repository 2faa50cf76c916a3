"""Every refusal is a 4xx a person can read: Django's ValidationError from a service
and an IntegrityError that slipped past validation (a race) never become a 500."""

import logging

from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.api.serializers import _as_field_errors

logger = logging.getLogger(__name__)


class ConfirmationRequired(exceptions.APIException):
    """A write that is likely a mistake (a record that seems to exist already): a 400
    whose `detail` names the field that confirms it (`{"confirm_new": [message]}`)
    and whose `data` shows why (`{"candidates": [...]}`), as given."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "confirmation_required"

    def __init__(self, *, field: str, message: str, data: dict):
        super().__init__({field: [message]})
        self.data = data


def api_exception_handler(exc, context):
    if isinstance(exc, ConfirmationRequired):
        # The data as given: ids stay numbers (DRF would make every value a string).
        return Response({**exc.detail, **exc.data}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = serializers.ValidationError(_as_field_errors(exc))
    elif isinstance(exc, ProtectedError):
        return Response(
            {"detail": _("Other records refer to this one, so it cannot be deleted.")},
            status=status.HTTP_409_CONFLICT,
        )
    elif isinstance(exc, Http404):
        # DRF would pass Django's "No Meeting matches the given query." through: English,
        # with a class name, whatever the reader's language.
        exc = exceptions.NotFound()
    elif isinstance(exc, IntegrityError):
        logger.warning("Integrity error answered as 409: %s", exc)
        return Response(
            {"detail": _("The change conflicts with another record; nothing was saved.")},
            status=status.HTTP_409_CONFLICT,
        )
    return exception_handler(exc, context)


def page_not_found(request, exception):
    """handler404: an address under /api/ that names no resource (`/api/v1/meetings/1.5/`)
    answers JSON like every other API error; the rest of the site keeps Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request, exception):
    """handler400: what Django refuses before any view (a body larger than
    DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a host not allowed) answers JSON under
    /api/ like every other API error; the rest of the site keeps Django's page."""
    if request.path.startswith("/api/"):
        if isinstance(exception, RequestDataTooBig):
            detail = _("The request body is larger than the server accepts.")
        elif isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
            detail = _("The request has more fields than the server accepts.")
        else:
            detail = _("Bad request.")
        return JsonResponse({"detail": detail}, status=400)
    return defaults.bad_request(request, exception)
