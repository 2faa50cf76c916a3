"""/favicon.ico answers (issue 17, item 11): browsers ask it of every page."""

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static


def test_favicon_ico_leads_to_the_icon_among_the_static_files(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("core/favicon.ico")
    icon = open(finders.find("core/favicon.ico"), "rb").read()  # noqa: SIM115
    assert icon[:4] == b"\x00\x00\x01\x00"  # an ICO file: reserved 0, type 1 (icon)


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["/admin/login/", "/accounts/login/"])
def test_pages_name_the_icon(client, address):
    assert f'<link rel="icon" href="{static("core/favicon.ico")}">' in client.get(address).text
