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


def session_or_token(download):
    """A download view that takes what the API takes: a browser's session (anonymous:
    sent to log in), or `Authorization: Token <key>` of another tool, which is answered
    in JSON like the API (401, 403, 404) rather than by a login page. `download(request,
    pk)` raises PermissionDenied or Http404 as any view does.

    Every stored file is served this way (an agreement's documents, a note's
    attachment): never by MEDIA_URL, never cached."""

    @never_cache
    def view(request, pk):
        if not authentication.get_authorization_header(request):
            return login_required(download)(request, pk)
        try:
            found = APITokenAuthentication().authenticate(request)
        except exceptions.AuthenticationFailed as error:
            return _json_error(str(error.detail), 401)
        if found is None:  # another scheme (Basic…): the browser's way
            return login_required(download)(request, pk)
        request.user = found[0]
        try:
            return download(request, pk)
        except PermissionDenied:
            return _json_error(_("You do not have permission to perform this action."), 403)
        except Http404:
            return _json_error(_("Not found."), 404)

    view.__doc__ = download.__doc__
    view.__name__ = download.__name__
    return view


def _json_error(detail: str, status: int) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = "Token"
    return response


def file_response(request, record, field_file):
    """`field_file` of `record` (which the caller found among those the user may read)
    as a download, typed by what the file is rather than by its name; the read is
    audited."""
    try:
        file = field_file.open("rb")
    except (FileNotFoundError, ValueError) as error:  # ValueError: no file in the field
        raise Http404 from error
    audit.note_records(request, audit.CHANNEL_DOWNLOAD, [record], detail=True)
    document_type = detect_document_type(file)
    response = FileResponse(
        file,
        as_attachment=True,
        filename=field_file.name.rsplit("/", 1)[-1],
        content_type=document_type.content_type if document_type else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _download(request, pk):
    """Agreement files are never public: only users who may view agreements get them,
    always as a download, typed by what the file is rather than by its name.

    The address is the API's `download_url`, so it takes what the API takes: a browser's
    session (anonymous: sent to log in), or `Authorization: Token <key>` of another tool,
    which is answered in JSON like the API (401, 403, 404) rather than by a login page."""
    # The same check for a session and a token: the right to view agreements.
    if not request.user.has_perm("agreements.view_agreement"):
        raise PermissionDenied
    # A document of an agreement the user may not read does not exist for them.
    document = get_object_or_404(
        AgreementDocument.objects.visible_to(request.user).select_related("agreement"), pk=pk
    )
    return file_response(request, document, document.file)


document_download = session_or_token(_download)
