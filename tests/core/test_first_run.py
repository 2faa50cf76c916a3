"""The first run (issue 17, item 10): `make run` serves through `manage.py serve`, which
prints the administrator's generated password last, once the server listens, in a box
with the address to open."""

import io
import os
from contextlib import redirect_stdout
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.test import RequestFactory

from core.management.commands import serve

pytestmark = pytest.mark.django_db


def _served(environment):
    """What `serve` prints from its start until the server listens (which is faked)."""
    command = serve.Command(stdout=io.StringIO())
    printed = io.StringIO()

    def listen(self, *args, **options):
        self.addr, self.port, self._raw_ipv6 = "127.0.0.1", "8000", False
        self.on_bind(8000)

    with (
        mock.patch.dict(os.environ, environment, clear=False),
        mock.patch.object(serve.RunServer, "handle", listen),
        redirect_stdout(printed),
    ):
        os.environ.pop(serve.PASSWORD_VARIABLE, None)
        command.handle(addrport="127.0.0.1:8000", use_ipv6=False, use_reloader=False)
    return printed.getvalue() + command.stdout.getvalue()


def test_the_first_run_prints_the_password_last_in_a_box_with_the_address():
    output = _served({"RUN_MAIN": ""})

    assert output.index("Starting development server") < output.index("****")
    box = output[output.index("****") :].strip().splitlines()
    assert box[0] == box[-1] and set(box[0]) == {"*"}
    assert "http://127.0.0.1:8000/admin/" in box[1]
    password = box[2].split(":", 1)[1].split()[0]
    user = authenticate(RequestFactory().post("/admin/login/"), username="admin", password=password)
    assert user is not None and user.is_superuser


def test_a_later_run_says_how_to_set_a_new_password():
    _served({"RUN_MAIN": ""})
    output = _served({"RUN_MAIN": ""})
    assert "changepassword admin" in output
    assert "generated" not in output


def test_make_run_serves_through_it_and_make_test_says_how_long_it_takes():
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    assert "manage.py serve $(HOST)" in makefile
    assert "about 10 minutes" in makefile
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    assert "make run HOST=127.0.0.1:8080" in readme
