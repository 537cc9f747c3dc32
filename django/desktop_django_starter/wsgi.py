"""WSGI entry point, used by `desktop_serve` and `runserver`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "desktop_django_starter.settings.dev")

application = get_wsgi_application()
