"""Settings shared by development and packaged mode.

Nothing here chooses a database path, a secret key or DEBUG: `dev.py` and
`packaged.py` do, so diffing those two files shows every difference between
running from a checkout and running inside the installed desktop app.

The desktop shell talks to Django through environment variables (see the
runtime contract): host, port, per-session token and the app-data folder.
"""

import os
from pathlib import Path

from django.utils.csp import CSP

# django/ -- the folder that holds manage.py.
BASE_DIR = Path(__file__).resolve().parent.parent.parent

# --- The shell-to-Django contract ------------------------------------------
# Every value is None when the variable is unset or empty, so a misconfigured
# shell cannot switch the token check on with an empty token.
DESKTOP_DJANGO_HOST = os.environ.get("DESKTOP_DJANGO_HOST") or "127.0.0.1"
DESKTOP_DJANGO_PORT = os.environ.get("DESKTOP_DJANGO_PORT") or None
DESKTOP_DJANGO_AUTH_TOKEN = os.environ.get("DESKTOP_DJANGO_AUTH_TOKEN") or None
DESKTOP_DJANGO_APP_DATA_DIR = os.environ.get("DESKTOP_DJANGO_APP_DATA_DIR") or None

# Django answers only on the loopback interface. DesktopHostMiddleware also
# checks the port once the shell has chosen one.
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# CSRF stays on: the shell token proves "this request comes from our shell",
# not "this form was rendered by us".
CSRF_TRUSTED_ORIGINS = (
    [f"http://127.0.0.1:{DESKTOP_DJANGO_PORT}", f"http://localhost:{DESKTOP_DJANGO_PORT}"]
    if DESKTOP_DJANGO_PORT
    else []
)

# Django's own CSP support sends this policy with every response: the pages
# load scripts, styles and images from Django only (no inline script or style
# anywhere), so an injected <script> or a form posting elsewhere is refused
# by the browser, in the shell and in a plain browser alike.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# --- Applications ------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.humanize",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "desktop_runtime",
    "example_app",
    # django.tasks' database backend: task results live in the app's SQLite file.
    "django_tasks_db",
    # Optional background-worker demo: delete this line and its page, nav link
    # and worker disappear, and everything else keeps working.
    "routines",
]

MIDDLEWARE = [
    # First, so a foreign Host or a missing token never reaches anything else.
    "desktop_runtime.middleware.DesktopHostMiddleware",
    "desktop_runtime.middleware.DesktopTokenMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "desktop_django_starter.urls"
WSGI_APPLICATION = "desktop_django_starter.wsgi.application"
TEST_RUNNER = "desktop_django_starter.test_runner.StarterTestRunner"

# The shared "Flying Stable" layout lives in the project package; each app
# keeps its own templates and static files next to its code.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "desktop_django_starter" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "desktop_django_starter.context_processors.navigation",
            ],
        },
    },
]

# A single-user desktop app has no accounts and no sessions: flash messages
# travel in a signed cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

# --- Database ----------------------------------------------------------------
# dev.py and packaged.py choose the file. These options let the web process and
# the routines worker share one SQLite file: WAL lets readers and a writer work
# at once, IMMEDIATE takes the write lock at the start of a transaction instead
# of failing half-way, and the timeout (seconds) waits for a busy lock.
# synchronous=FULL: a save the user saw succeed survives a power cut or an OS
# crash too (NORMAL may lose the last ones), for a few milliseconds per write
# (the runtime contract's docs page has the measurement).
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Internationalization ----------------------------------------------------
LANGUAGE_CODE = "en-us"
# The languages the app offers. The stage ships Django's translations for
# these alone: add a language here and its translations come back.
LANGUAGES = [("en", "English")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ------------------------------------------------------------
# Served by Django itself in both modes (see desktop_django_starter/urls.py),
# so the shell token guards them like every other path.
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "desktop_django_starter" / "static"]

# --- Logging -----------------------------------------------------------------
# Both modes log to stderr only. The shell writes each process's output to a
# file of its own in logs/ (backend.log, worker.log), capped in size. A log
# file written here would be shared by the server and the worker, and rotating
# a file another process holds open fails on Windows.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "compact": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "compact"},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Replace Django's default handlers, so no line is printed twice.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # One line per request from desktop_serve and runserver.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Stable Routines demo ----------------------------------------------------
# The fake workload: how long a routine takes and how often it fails. The
# DESKTOP_ROUTINES_* variables let tests and demos make routines fast.
ROUTINES_MIN_SECONDS = float(os.environ.get("DESKTOP_ROUTINES_MIN_SECONDS", "2"))
ROUTINES_MAX_SECONDS = float(os.environ.get("DESKTOP_ROUTINES_MAX_SECONDS", "6"))
ROUTINES_FAILURE_RATE = float(os.environ.get("DESKTOP_ROUTINES_FAILURE_RATE", "0.2"))
# Django's Tasks framework, backed by django-tasks-db: the page enqueues a
# task, and the worker the shell starts (`manage.py run_routines`) runs it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# How often an idle worker looks for new tasks, in seconds.
ROUTINES_POLL_SECONDS = 0.3
