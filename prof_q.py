import os, sys
os.environ.update(DJANGO_SETTINGS_MODULE="config.settings", DEBUG="0", SECRET_KEY="x"*60, ALLOWED_HOSTS="testserver")
import django; django.setup()
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.db import connection
from bench.measure import _users
key, _ = _users()
c = Client(HTTP_AUTHORIZATION=f"Token {key}")
url = sys.argv[1]
c.get(url)
with CaptureQueriesContext(connection) as q:
    c.get(url)
for x in q.captured_queries: print(x["time"], x["sql"][:230])
