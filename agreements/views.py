from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404

from agreements.models import AgreementDocument


@login_required
def document_download(request, pk):
    """Agreement files are never public: only users who may view agreements get them."""
    if not request.user.has_perm("agreements.view_agreement"):
        raise PermissionDenied
    document = get_object_or_404(AgreementDocument, pk=pk)
    return FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1]
    )
