"""The floor as a WSGI application, served by the same gunicorn settings as the API
for the served benchmark (bench/served.py): `/<resource>/?page_size=&page=` answers
the bytes bench.floor builds from raw psycopg and orjson, with nothing in between; one
connection per serving thread, kept, as the API keeps its own."""

import os
import threading
from urllib.parse import parse_qs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.utils import translation  # noqa: E402

from bench import floor  # noqa: E402

translation.activate("ja")  # the API's default language, which the floor's labels match
_local = threading.local()


def application(environ, start_response):
    connection = getattr(_local, "connection", None)
    if connection is None:
        connection = _local.connection = floor.connect()
    resource = environ["PATH_INFO"].strip("/")
    query = parse_qs(environ.get("QUERY_STRING", ""))
    size = int(query.get("page_size", ["100"])[0])
    page = int(query.get("page", ["1"])[0])
    body, _rows = floor.FLOORS[resource](connection, limit=size, offset=(page - 1) * size)
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
