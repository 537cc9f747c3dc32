"""Root URLs: the desktop runtime, the ponies, the optional routines, static files."""

import re

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.views import serve as serve_from_apps
from django.urls import include, path, re_path
from django.views.decorators.http import require_safe

urlpatterns = [
    path("", include("desktop_runtime.urls")),
    path("", include("example_app.urls")),
]

if apps.is_installed("routines"):
    urlpatterns.append(path("routines/", include("routines.urls")))

# Static files go through the normal middleware, so they need the shell token
# like every other path, and answer GET and HEAD only. Packaged mode has
# collected them into STATIC_ROOT, and WhiteNoise's middleware serves them
# (settings/packaged.py); development finds them in the apps, as runserver does.
if not settings.STATIC_ROOT:
    static_prefix = re.escape(settings.STATIC_URL.lstrip("/"))
    urlpatterns.append(
        re_path(
            rf"^{static_prefix}(?P<path>.*)$",
            require_safe(serve_from_apps),
            {"insecure": True},
        )
    )
