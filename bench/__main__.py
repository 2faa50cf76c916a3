"""`make bench` (python -m bench): create and migrate the benchmark database if needed,
generate the data set unless it is already there at the right size, then measure.

The database is the PostgreSQL one of DATABASE_URL. The settings are the production
ones that matter for speed (DEBUG off) with a throw-away secret key.
"""

import argparse
import os
import sys
import time


def _configure_environment():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret-" + "x" * 24)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def _ensure_database(url: str):
    """CREATE DATABASE when the one named in the URL does not exist yet."""
    import environ
    import psycopg

    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        sys.exit("make bench needs PostgreSQL: set DATABASE_URL=postgres://...")
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            print(f"Creating database {config['NAME']}")
            connection.execute(f'CREATE DATABASE "{config["NAME"]}"')


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--generate-only", action="store_true", help="stop after the data")
    parser.add_argument("--skip-export", action="store_true", help="no export measure")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--only", default="", help="comma-separated sections to measure")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="a share of the full data set (0.02: 20,000 meetings), for a quick look; "
        "the targets are set for the full one",
    )
    args = parser.parse_args(argv)

    _configure_environment()
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("Set DATABASE_URL to the benchmark's PostgreSQL database.")
    _ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    from bench.data import ensure_data
    from bench.generate import scaled

    started = time.monotonic()
    ensure_data(scaled(args.scale), log=print)
    print(f"Data ready in {time.monotonic() - started:.0f}s")
    if args.generate_only:
        return 0

    from bench.measure import run

    return run(
        quick=args.quick,
        skip_export=args.skip_export,
        only={name for name in args.only.split(",") if name},
    )


if __name__ == "__main__":
    sys.exit(main())
