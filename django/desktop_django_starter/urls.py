"""Root URLs: the desktop runtime, the ponies, the optional routines, static files."""

import re

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.views import serve as serve_from_apps
from django.urls import include, path, re_path
from django.views.static import serve as serve_from_static_root

urlpatterns = [
    path("", include("desktop_runtime.urls")),
    path("", include("example_app.urls")),
]

if apps.is_installed("routines"):
    urlpatterns.append(path("routines/", include("routines.urls")))

# Django serves static files itself, through the normal middleware, so they
# need the shell token like every other path. Packaged mode has collected them
# into STATIC_ROOT; development has no STATIC_ROOT and finds them in the apps,
# as runserver does.
static_prefix = re.escape(settings.STATIC_URL.lstrip("/"))
if settings.STATIC_ROOT:
    urlpatterns.append(
        re_path(
            rf"^{static_prefix}(?P<path>.*)$",
            serve_from_static_root,
            {"document_root": settings.STATIC_ROOT},
        )
    )
else:
    urlpatterns.append(
        re_path(rf"^{static_prefix}(?P<path>.*)$", serve_from_apps, {"insecure": True})
    )
