from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from agreements.views import file_response, session_or_token
from notes.models import Note


def _download(request, pk):
    """A note's attachment, as an agreement's documents are served (agreements.views):
    to users who may view notes and may read the note (and so its record), by session
    or API token, always as a download typed by its content."""
    if not request.user.has_perm("notes.view_note"):
        raise PermissionDenied
    note = get_object_or_404(Note.objects.visible_to(request.user).exclude(attachment=""), pk=pk)
    return file_response(request, note, note.attachment)


attachment_download = session_or_token(_download)
