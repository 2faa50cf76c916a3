"""`make fuzz`: schemathesis over every operation of /api/schema/, as an integrator would
run it, against gunicorn on PostgreSQL: examples, generated data (positive and negative)
and the stateful phase (sequences of calls following the links between operations).
Fails on any 5xx, any response the schema does not document, or fewer requests than
the budget asks for (docs/hostile-input.md).

    make fuzz                                     # >= 10,000 requests (FUZZ_MAX_EXAMPLES=100)
    FUZZ_MAX_EXAMPLES=10 FUZZ_MIN_REQUESTS=1000 make fuzz   # CI's budget (.ci/run)

The database of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/mlit_crm_fuzz)
is dropped and made again from the migrations and the demo data at every run, so that
a run starts where the last one did and a failure can be repeated (same seed).
"""

import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/mlit_crm_fuzz"
SEED = 20190828  # TICAD7's first day
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)


def _recreate_database(url: str):
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _manage(*arguments: str):
    subprocess.run([sys.executable, "manage.py", *arguments], check=True)


def _token() -> str:
    """A read-write API token of an administrator: every operation is reachable."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from accounts.models import APIToken
    from accounts.roles import ADMINISTRATOR

    user = get_user_model().objects.create(username="fuzz-administrator", is_staff=True)
    user.groups.add(Group.objects.get(name=ADMINISTRATOR))
    token = APIToken(name="make fuzz", user=user, can_write=True)
    key = token.issue_key()
    token.save()
    return key


def _summary(har: Path) -> tuple[int, collections.Counter]:
    entries = json.loads(har.read_text())["log"]["entries"]
    return len(entries), collections.Counter(entry["response"]["status"] for entry in entries)


def main() -> int:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    max_examples = int(os.environ.get("FUZZ_MAX_EXAMPLES", "100"))
    min_requests = int(os.environ.get("FUZZ_MIN_REQUESTS", "10000"))
    phases = os.environ.get("FUZZ_PHASES", "examples,fuzzing,stateful")
    workers = os.environ.get("FUZZ_WORKERS", "2")

    started = time.monotonic()
    _recreate_database(os.environ["DATABASE_URL"])
    _manage("migrate", "--noinput", "-v", "0")
    _manage("load_demo")
    key = _token()

    from tests.servers import Gunicorn

    with tempfile.TemporaryDirectory() as home:
        har = Path(home) / "fuzz.har"
        environment = {
            # The fuzzer is one client sending thousands of requests: not throttled.
            "API_THROTTLE_TOKEN": "100000000/hour",
            "API_THROTTLE_USER": "100000000/hour",
        }
        with Gunicorn(home=Path(home), environment=environment) as server:
            command = [
                str(Path(sys.executable).with_name("st")),
                "run",
                f"{server.url}/api/schema/",
                "--header",
                f"Authorization: Token {key}",
                "--max-examples",
                str(max_examples),
                "--seed",
                str(SEED),
                "--phases",
                phases,
                "--checks",
                ",".join(CHECKS),
                "--workers",
                workers,
                "--continue-on-failure",
                "--suppress-health-check",
                "all",
                "--request-timeout",
                "60",
                "--report",
                "har",
                "--report-har-path",
                str(har),
                "--output-sanitize",
                "true",
            ]
            result = subprocess.run(command)
            server_log = server.log()
        requests, statuses = _summary(har) if har.exists() else (0, collections.Counter())
    minutes, seconds = divmod(int(time.monotonic() - started), 60)
    print(
        f"make fuzz: {requests} requests (max-examples {max_examples}, phases {phases}) "
        f"in {minutes} min {seconds:02d} s; answered: "
        + ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
    )
    if "Traceback" in server_log:
        print("make fuzz: the server logged an exception:\n" + server_log[-5000:])
        return 1
    if result.returncode != 0:
        print("make fuzz: schemathesis found failures (above)")
        return result.returncode
    if requests < min_requests:
        print(f"make fuzz: {requests} requests, fewer than FUZZ_MIN_REQUESTS={min_requests}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
