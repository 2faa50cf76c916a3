from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from rest_framework import authentication, exceptions

from accounts.authentication import APITokenAuthentication
from agreements.models import AgreementDocument
from agreements.validators import detect_document_type
from core import audit


@never_cache
def document_download(request, pk):
    """Agreement files are never public: only users who may view agreements get them,
    always as a download, typed by what the file is rather than by its name.

    The address is the API's `download_url`, so it takes what the API takes: a browser's
    session (anonymous: sent to log in), or `Authorization: Token <key>` of another tool,
    which is answered in JSON like the API (401, 403, 404) rather than by a login page."""
    if not authentication.get_authorization_header(request):
        return login_required(_download)(request, pk)
    try:
        found = APITokenAuthentication().authenticate(request)
    except exceptions.AuthenticationFailed as error:
        return _json_error(str(error.detail), 401)
    if found is None:  # another scheme (Basic…): the browser's way
        return login_required(_download)(request, pk)
    request.user = found[0]
    try:
        return _download(request, pk)
    except PermissionDenied:
        return _json_error(_("You do not have permission to perform this action."), 403)
    except Http404:
        return _json_error(_("Not found."), 404)


def _json_error(detail: str, status: int) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = "Token"
    return response


def _download(request, pk):
    # The same check for a session and a token: the right to view agreements.
    if not request.user.has_perm("agreements.view_agreement"):
        raise PermissionDenied
    # A document of an agreement the user may not read does not exist for them.
    document = get_object_or_404(
        AgreementDocument.objects.visible_to(request.user).select_related("agreement"), pk=pk
    )
    try:
        file = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    audit.note_records(request, audit.CHANNEL_DOWNLOAD, [document], detail=True)
    document_type = detect_document_type(file)
    response = FileResponse(
        file,
        as_attachment=True,
        filename=document.file.name.rsplit("/", 1)[-1],
        content_type=document_type.content_type if document_type else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
