"""A project of desktop_runtime alone, shaped like the settings `npm run wrap`
writes for someone else's project: Django's auth, sessions and static files,
the runtime app, and its guards first in MIDDLEWARE. Nothing of the starter's
demo (example_app, routines, django-tasks-db) and nothing newer than Django
5.2 LTS, so desktop_runtime's tests run on the oldest Django a wrapped project
may use: `npm test -- "Django 5.2"` runs them there (with
requirements-django52.txt), and on the starter's Django they run too.
"""

import os
from pathlib import Path

# django/ -- the folder that holds manage.py (the tests start backends through it).
BASE_DIR = Path(__file__).resolve().parent.parent.parent

DESKTOP_DJANGO_HOST = os.environ.get("DESKTOP_DJANGO_HOST") or "127.0.0.1"
DESKTOP_DJANGO_PORT = os.environ.get("DESKTOP_DJANGO_PORT") or None
DESKTOP_DJANGO_AUTH_TOKEN = os.environ.get("DESKTOP_DJANGO_AUTH_TOKEN") or None
DESKTOP_DJANGO_APP_DATA_DIR = os.environ.get("DESKTOP_DJANGO_APP_DATA_DIR") or None

DEBUG = True
SECRET_KEY = "django-insecure-runtime-only-test-settings"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "desktop_runtime",
]

MIDDLEWARE = [
    "desktop_runtime.middleware.DesktopHostMiddleware",
    "desktop_runtime.middleware.DesktopTokenMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

ROOT_URLCONF = "desktop_runtime.tests.urls_runtime_only"
TEST_RUNNER = "desktop_django_starter.test_runner.StarterTestRunner"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    },
]

DATA_DIR = (
    Path(DESKTOP_DJANGO_APP_DATA_DIR)
    if DESKTOP_DJANGO_APP_DATA_DIR
    else BASE_DIR / ".dev-data" / "runtime-only"
)
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "app.sqlite3",
        "OPTIONS": {"timeout": 20},
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
STATIC_URL = "static/"
