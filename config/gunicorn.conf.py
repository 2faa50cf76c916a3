"""gunicorn's settings for production (README: Production):

    .venv/bin/gunicorn -c config/gunicorn.conf.py

Options given on the command line override these (`--bind`, `--workers`…).

What the site serves decides them: short API and admin requests, and files that take
longer, at the client's pace: agreement documents (up to 20 MB), background exports
(a list of a million meetings is some 250 MB) and lists downloaded at once (at most
EXPORT_SYNC_MAX_ROWS rows, built in a few seconds).

- Threads (gthread), not sync workers: a sync worker answers one request at a time and
  must report to the master within `timeout` seconds, so a download read slowly by a
  client behind a proxy that does not buffer was killed after 30 s, and cut. A gthread
  worker reports from its own thread whatever its requests do, and one long download
  leaves the worker's other threads serving.
- A download cut all the same (a restart, a proxy's timeout, a client gone) never looks
  finished: every export and file is sent with its Content-Length (core/api/export.py).
"""

import os

wsgi_app = "config.wsgi"
bind = "127.0.0.1:8000"
worker_class = "gthread"
# One process per core (WEB_CONCURRENCY overrides), each with a few threads: the
# threads wait on PostgreSQL and on clients, the processes share the cores.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
threads = 4
# With threads, a worker that misses its heartbeat this long is hung, not busy.
timeout = 30
# At a restart (a release), requests in flight get this long to finish: a list
# downloaded at once is built in some 20 s at most (EXPORT_SYNC_MAX_ROWS).
graceful_timeout = 60
# Connections from the proxy are kept a little between requests.
keepalive = 5
accesslog = "-"
