"""Development settings of a login-gated project: Django's auth and sessions,
the desktop auto-login, a page behind login_required, and a middleware that
sets a cookie on every response (as analytics or locale middleware do)."""

import os

from desktop_django_starter.settings.dev import *

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    *[app for app in INSTALLED_APPS if app != "routines"],
]

MIDDLEWARE = [
    *MIDDLEWARE[:2],
    "desktop_runtime.tests.login_gated.CookieEverywhereMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    *MIDDLEWARE[2:],
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "desktop_runtime.middleware.DesktopAutoLoginMiddleware",
]

ROOT_URLCONF = "desktop_runtime.tests.login_gated"
LOGIN_URL = "/login/"
DESKTOP_AUTO_LOGIN_SUPERUSER = os.environ.get("TEST_AUTO_LOGIN_SUPERUSER") == "1"
