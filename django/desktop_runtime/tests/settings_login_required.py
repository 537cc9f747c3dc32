"""Settings of a project gated by Django's LoginRequiredMiddleware (5.1+), the
way `django-admin startproject` projects now require a login on every page,
without the desktop auto-login: the owner kept the project's own login page.
The contract's views must still answer, or the shell never sees /health/."""

from desktop_runtime.tests.settings_runtime_only import *

MIDDLEWARE = [*MIDDLEWARE, "django.contrib.auth.middleware.LoginRequiredMiddleware"]

ROOT_URLCONF = "desktop_runtime.tests.login_gated"
LOGIN_URL = "/login/"
