"""Development settings: running from a checkout with a local Python.

Loud errors, a throwaway secret key, templates read from disk on every
request (the Electron dev shell reloads the window when a template or static
file changes, and the next request must show the edit without a restart),
and a database in the shell's app-data folder or in django/.dev-data/.
"""

from pathlib import Path

from .base import *

DEBUG = True

# Insecure on purpose and only ever used in development. Packaged mode
# generates a real key per user (see packaged.py).
SECRET_KEY = "django-insecure-dev-only-key-never-use-it-in-a-packaged-app"

DATA_DIR = (
    Path(DESKTOP_DJANGO_APP_DATA_DIR) if DESKTOP_DJANGO_APP_DATA_DIR else BASE_DIR / ".dev-data"
)
DATA_DIR.mkdir(parents=True, exist_ok=True)

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "app.sqlite3",
        "OPTIONS": SQLITE_OPTIONS,
    },
}

# Explicit loaders turn off the cached loader Django would otherwise use.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "desktop_django_starter" / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "desktop_django_starter.context_processors.navigation",
            ],
            "loaders": [
                "django.template.loaders.filesystem.Loader",
                "django.template.loaders.app_directories.Loader",
            ],
        },
    },
]
