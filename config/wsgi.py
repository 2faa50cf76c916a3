import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from core.runtime import prepare_serving_process  # noqa: E402 (needs the apps loaded)

prepare_serving_process()
