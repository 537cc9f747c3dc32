"""Settings of a login-gated project: Django's auth and sessions (from the
runtime-only project, which runs on Django 5.2 and 6.x), the desktop
auto-login, a page behind login_required, and a middleware that sets a cookie
on every response (as analytics or locale middleware do)."""

import os

from desktop_runtime.tests.settings_runtime_only import *

MIDDLEWARE = [
    *MIDDLEWARE[:2],
    "desktop_runtime.tests.login_gated.CookieEverywhereMiddleware",
    *MIDDLEWARE[2:],
    "desktop_runtime.middleware.DesktopAutoLoginMiddleware",
]

ROOT_URLCONF = "desktop_runtime.tests.login_gated"
LOGIN_URL = "/login/"
DESKTOP_AUTO_LOGIN_SUPERUSER = os.environ.get("TEST_AUTO_LOGIN_SUPERUSER") == "1"
