"""Production settings pass Django's deployment checks, refuse to start half-configured,
and every page runs under a Content-Security-Policy without inline scripts."""

import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories

PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "crm.example.go.jp",
}
# Variables that would weaken production if the machine running the tests had them set.
OVERRIDES = (
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    # Set by browser tests for their own process; never in a deployment.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in OVERRIDES and key not in PRODUCTION
    }
    environment.update({key: value for key, value in env.items() if value is not None})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_passes_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": None})
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


def test_debug_off_refuses_to_start_without_a_secret_key_in_development_too():
    result = manage(
        "check", DJANGO_ENV="development", DEBUG="False", ALLOWED_HOSTS="crm.example.go.jp"
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off" in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr


def test_production_with_debug_on_still_refuses_the_development_key():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": None, "DEBUG": "True"})
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


def test_development_with_debug_on_runs_on_the_development_key():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        DJANGO_ENV="development",
        DEBUG="True",
    )
    assert result.returncode == 0, result.stderr
    assert "development-only" in result.stdout


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("check", **{**PRODUCTION, "ALLOWED_HOSTS": None})
    assert result.returncode != 0
    assert "ImproperlyConfigured: ALLOWED_HOSTS must be set" in result.stderr


def test_production_serves_compressed_static_files_under_hashed_names():
    result = manage(
        "shell", "-c", "from django.conf import settings; print(settings.STORAGES)", **PRODUCTION
    )
    assert result.returncode == 0, result.stderr
    assert "whitenoise.storage.CompressedManifestStaticFilesStorage" in result.stdout
    # Development and the tests need no collectstatic.
    assert "whitenoise" not in settings.STORAGES["staticfiles"]["BACKEND"]


@pytest.mark.django_db
def test_pages_carry_the_browser_protections(client):
    response = client.get(reverse("admin:login"))
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


class InlineScripts(HTMLParser):
    """Collects what a script-src 'self' policy would block: inline scripts, event
    handler attributes and javascript: links. JSON data blocks are not run."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self.found.append(f"<script> at line {self.getpos()[0]}")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.found.append(f"{tag} {name}={value!r}")
            if name == "href" and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} href={value!r}")


def inline_scripts(html):
    parser = InlineScripts()
    parser.feed(html)
    return parser.found


@pytest.mark.django_db
def test_no_page_relies_on_inline_scripts(client, administrator_user):
    agreement = factories.AgreementDocumentFactory().agreement
    anonymous_pages = [reverse("admin:login"), "/api-auth/login/"]
    for url in anonymous_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert inline_scripts(response.content.decode()) == [], url

    client.force_login(administrator_user)
    pages = [
        reverse("admin:index"),
        reverse("admin:agreements_agreement_changelist"),
        reverse("admin:agreements_agreement_add"),
        reverse("admin:agreements_agreement_change", args=[agreement.pk]),
        reverse("admin:agreements_agreement_history", args=[agreement.pk]),
        reverse("admin:missions_mission_add"),
        reverse("admin:missions_mission_changelist"),
        reverse("admin:contacts_organization_add") + "?_popup=1",
        "/api/v1/",
        "/api/docs/",
    ]
    for url in pages:
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        assert inline_scripts(response.content.decode()) == [], url


@pytest.mark.django_db
def test_swagger_ui_loads_its_start_up_script_as_a_file(client, analyst_user):
    client.force_login(analyst_user)
    page = client.get("/api/docs/").content.decode()
    assert '<script src="/api/docs/?script="></script>' in page
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.django_db
def test_the_browsable_api_logs_out_without_a_script(client, analyst_user):
    client.force_login(analyst_user)
    page = client.get("/api/v1/", HTTP_ACCEPT="text/html").content.decode()
    assert 'action="/api-auth/logout/?next=/api/v1/"' in page
    response = client.post("/api-auth/logout/?next=/api/v1/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
