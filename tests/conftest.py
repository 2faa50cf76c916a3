import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files of a test go to a folder of its own, never into var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
