"""Packaged settings: running inside the installed desktop app.

The shell passes two folders. DESKTOP_DJANGO_BUNDLE_DIR is the read-only
backend it shipped (code and collected static files); nothing is written
there at runtime. DESKTOP_DJANGO_APP_DATA_DIR is the user's writable folder:
the database, the secret key and the logs live there.
"""

import os
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from desktop_runtime.secret_key import load_or_create_secret_key

from .base import *

# The bundle may be read-only or code-signed: never write .pyc files into it.
sys.dont_write_bytecode = True

DEBUG = False

if not DESKTOP_DJANGO_APP_DATA_DIR:
    raise ImproperlyConfigured(
        "DESKTOP_DJANGO_APP_DATA_DIR is not set: the desktop shell must set it to a "
        "writable per-user folder (database, secret key and logs live there)."
    )
bundle_dir_setting = os.environ.get("DESKTOP_DJANGO_BUNDLE_DIR")
if not bundle_dir_setting:
    raise ImproperlyConfigured(
        "DESKTOP_DJANGO_BUNDLE_DIR is not set: the desktop shell must set it to the "
        "folder of the bundled backend (the one holding manage.py and static/)."
    )

APP_DATA_DIR = Path(DESKTOP_DJANGO_APP_DATA_DIR)
BUNDLE_DIR = Path(bundle_dir_setting)
APP_DATA_DIR.mkdir(parents=True, exist_ok=True)

# Generated on first run, kept readable by this user alone, reused afterwards.
SECRET_KEY = load_or_create_secret_key(APP_DATA_DIR / "secret_key")

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": APP_DATA_DIR / "app.sqlite3",
        "OPTIONS": SQLITE_OPTIONS,
    },
}

# Filled by `manage.py collectstatic` when the app is built, read-only after.
STATIC_ROOT = BUNDLE_DIR / "static"
# WhiteNoise serves them: collectstatic (at stage time) writes content-hashed,
# compressed copies, and hashed files go out with a far-future, immutable cache
# header, so a page the user opens next never asks for the stylesheet again.
# Placed after the token middleware: static files still need the token.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
_after_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE = [
    *MIDDLEWARE[:_after_security],
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[_after_security:],
]
