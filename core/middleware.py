"""Request checks that hold for a whole part of the site."""

from django.core.exceptions import BadRequest
from django.urls import reverse

from core.validators import NUL_MESSAGE


class AdminRefusesNulBytes:
    """PostgreSQL can neither store nor compare a NUL byte: psycopg refuses a query
    that carries one, which would be a server error. The admin hands its query
    parameters (search, filters, date hierarchy, autocomplete terms) to the database
    as they come, on every model admin, ours and the libraries': such a request is a
    bad one (400), with the message every refusal of a NUL byte gives (core.validators).
    The API and the analysts' pages validate their parameters instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.GET  # most requests have none: no address to work out
            and request.path.startswith(reverse("admin:index"))
            and any(
                "\x00" in text for name, values in request.GET.lists() for text in (name, *values)
            )
        ):
            raise BadRequest(str(NUL_MESSAGE))
        return self.get_response(request)
