from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache

from agreements.models import AgreementDocument
from agreements.validators import detect_document_type
from core import audit


@login_required
@never_cache
def document_download(request, pk):
    """Agreement files are never public: only users who may view agreements get them,
    always as a download, typed by what the file is rather than by its name."""
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
