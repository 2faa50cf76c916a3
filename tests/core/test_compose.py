"""compose.yaml and the Dockerfile stay in step with the settings and the README's
production layout: every variable they set is one the application reads, every
service runs the command the README gives, and there is one beat."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
APP_SERVICES = {"migrate", "web", "worker", "beat"}
# Read by boto3 itself rather than by the settings.
READ_BY_LIBRARIES = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((BASE_DIR / "compose.yaml").read_text())


def _variables_the_settings_read() -> set[str]:
    source = (BASE_DIR / "config" / "settings.py").read_text()
    return set(re.findall(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""", source))


def test_the_system_has_its_parts(compose):
    services = compose["services"]
    assert set(services) >= APP_SERVICES | {"db", "redis", "s3"}
    for name in APP_SERVICES:
        assert services[name]["image"] == "mlit-crm"
        assert services[name]["build"] == "."
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


def test_every_variable_given_to_the_application_is_one_it_reads(compose):
    known = _variables_the_settings_read() | READ_BY_LIBRARIES
    assert {"DATABASE_URL", "CACHE_URL", "AWS_STORAGE_BUCKET_NAME"} <= known
    for name in APP_SERVICES:
        environment = compose["services"][name]["environment"]
        assert set(environment) - known == set(), name
        # Production, with the shared state every app server needs.
        assert environment["DJANGO_ENV"] == "production"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["CACHE_URL"].startswith("redis://")
        assert environment["CELERY_BROKER_URL"].startswith("redis://")
        assert environment["AWS_STORAGE_BUCKET_NAME"]
        # The secret comes from the operator, never from the file.
        assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")


def test_the_services_run_the_readmes_commands(compose):
    services = compose["services"]
    assert services["web"]["command"][:3] == ["gunicorn", "-c", "config/gunicorn.conf.py"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    beats = [name for name, service in services.items() if "beat" in service.get("command", [])]
    assert beats == ["beat"]
    readme = (BASE_DIR / "README.md").read_text()
    assert "gunicorn -c config/gunicorn.conf.py" in readme
    assert "docker compose up" in readme


def test_the_image_installs_the_declared_dependencies_and_runs_unprivileged():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11", dockerfile, re.MULTILINE)
    assert "COPY pyproject.toml" in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.MULTILINE)
    ignored = (BASE_DIR / ".dockerignore").read_text().split()
    assert {".venv", ".git", "var"} <= set(ignored)
