/**
 * The Python files `npm run wrap` adds to a project: a `desktop_settings`
 * package beside manage.py whose modules import the project's own settings and
 * override only what a desktop app needs. The project's settings file is not
 * touched, so its hosted deployment keeps working.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ProjectReport } from "./inspect.ts";

const starterRequirements = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "django", "requirements.txt");

/** The pinned line for `name` in the starter's django/requirements.txt: the versions desktop_runtime is tested with. */
export function starterPin(name: string, requirements = readFileSync(starterRequirements, "utf8")): string {
  const line = requirements.split("\n").find((candidate) => candidate.toLowerCase().startsWith(`${name.toLowerCase()}==`));
  if (!line) throw new Error(`django/requirements.txt pins no ${name}: the wrap needs its version for desktop/requirements-desktop.txt.`);
  return line.trim();
}

const HEADER = "# Written by desktop-django-starter's `npm run wrap`; yours to edit.\n";

function base(report: ProjectReport): string {
  const autoLogin = report.loginGated
    ? `
# The project's pages need a login; a desktop app has one user, who is logged
# in automatically for requests from the shell (see desktop_runtime.middleware).
# Delete these lines to show the project's own login page instead.
MIDDLEWARE = _insert_after(
    MIDDLEWARE,
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "desktop_runtime.middleware.DesktopAutoLoginMiddleware",
)
`
    : "";
  return `${HEADER}"""Desktop settings shared by development and packaged runs.

The project's own settings (${report.settingsModule}) come first, unchanged;
below them is only what the desktop shell needs: the runtime contract's
variables, loopback hosts, the shell's request guards, plain-http cookies,
static files through WhiteNoise, and the desktop URLs in front of the project's.
"""

import os

from ${report.settingsModule} import *  # noqa: F403
from ${report.settingsModule} import INSTALLED_APPS, MIDDLEWARE, ROOT_URLCONF

# --- The shell-to-Django contract (environment set by the desktop shell) ----
DESKTOP_DJANGO_HOST = os.environ.get("DESKTOP_DJANGO_HOST") or "127.0.0.1"
DESKTOP_DJANGO_PORT = os.environ.get("DESKTOP_DJANGO_PORT") or None
DESKTOP_DJANGO_AUTH_TOKEN = os.environ.get("DESKTOP_DJANGO_AUTH_TOKEN") or None
DESKTOP_DJANGO_APP_DATA_DIR = os.environ.get("DESKTOP_DJANGO_APP_DATA_DIR") or None

ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
CSRF_TRUSTED_ORIGINS = (
    [f"http://127.0.0.1:{DESKTOP_DJANGO_PORT}", f"http://localhost:{DESKTOP_DJANGO_PORT}"]
    if DESKTOP_DJANGO_PORT
    else []
)

# The app is served over plain http://127.0.0.1: cookies marked Secure, HTTPS
# redirects and HSTS from a hosted deployment would break it.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_PROXY_SSL_HEADER = None


def _insert_after(items, anchor, item):
    """items with item placed right after anchor (or at the end), once."""
    items = [existing for existing in items if existing != item]
    position = items.index(anchor) + 1 if anchor in items else len(items)
    return [*items[:position], item, *items[position:]]


INSTALLED_APPS = [*INSTALLED_APPS, "desktop_runtime"]

# The shell's guards come first, so a foreign Host or a missing token never
# reaches the project; then WhiteNoise serves static files with DEBUG off.
_GUARDS = [
    "desktop_runtime.middleware.DesktopHostMiddleware",
    "desktop_runtime.middleware.DesktopTokenMiddleware",
]
MIDDLEWARE = [*_GUARDS, *[item for item in MIDDLEWARE if item not in _GUARDS]]
MIDDLEWARE = _insert_after(
    MIDDLEWARE,
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
${autoLogin}
# /health/, /splash/ and /desktop-auth/bootstrap/, then the project's own URLs.
DESKTOP_PROJECT_URLCONF = ROOT_URLCONF
ROOT_URLCONF = "desktop_settings.urls"
`;
}

const DEV = `${HEADER}"""Desktop development settings: the project's code from the checkout, loud errors.

The database and uploads go to the shell's app-data folder, or to .dev-data/
beside manage.py when Django runs without the shell.
"""

from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, DESKTOP_DJANGO_APP_DATA_DIR

DEBUG = True

DATA_DIR = (
    Path(DESKTOP_DJANGO_APP_DATA_DIR) if DESKTOP_DJANGO_APP_DATA_DIR else Path(BASE_DIR) / ".dev-data"
)
DATA_DIR.mkdir(parents=True, exist_ok=True)

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "app.sqlite3"}}
MEDIA_ROOT = DATA_DIR / "media"

# WhiteNoise finds static files in the apps, as runserver does, and sees edits.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
`;

const PACKAGED = `${HEADER}"""Desktop packaged settings: running inside the installed app.

DESKTOP_DJANGO_BUNDLE_DIR is the read-only bundle (code, collected static
files); DESKTOP_DJANGO_APP_DATA_DIR is the user's writable folder: database,
uploads, secret key and logs.
"""

import os
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from desktop_runtime.secret_key import load_or_create_secret_key

from .base import *  # noqa: F403
from .base import DESKTOP_DJANGO_APP_DATA_DIR

# The bundle may be read-only or code-signed: never write .pyc files into it.
sys.dont_write_bytecode = True

DEBUG = False

if not DESKTOP_DJANGO_APP_DATA_DIR:
    raise ImproperlyConfigured("DESKTOP_DJANGO_APP_DATA_DIR is not set: the desktop shell sets it.")
if not os.environ.get("DESKTOP_DJANGO_BUNDLE_DIR"):
    raise ImproperlyConfigured("DESKTOP_DJANGO_BUNDLE_DIR is not set: the desktop shell sets it.")

APP_DATA_DIR = Path(DESKTOP_DJANGO_APP_DATA_DIR)
BUNDLE_DIR = Path(os.environ["DESKTOP_DJANGO_BUNDLE_DIR"])
LOG_DIR = APP_DATA_DIR / "logs"
LOG_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = load_or_create_secret_key(APP_DATA_DIR / "secret_key")
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": APP_DATA_DIR / "app.sqlite3"}}
MEDIA_ROOT = APP_DATA_DIR / "media"
# Filled by collectstatic when the app is built (npm run stage), read-only after.
STATIC_ROOT = BUNDLE_DIR / "static"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "file": {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": LOG_DIR / "django.log",
            "maxBytes": 1_000_000,
            "backupCount": 3,
            "delay": True,
            "encoding": "utf-8",
        },
    },
    "root": {"handlers": ["console", "file"], "level": "INFO"},
}
`;

const URLS = `${HEADER}"""The desktop URLs: the runtime contract's, uploaded media, then the project's own."""

import re

from django.conf import settings
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [path("", include("desktop_runtime.urls"))]

# Uploads are served by Django with DEBUG off, behind the shell's token like every path.
if settings.MEDIA_URL and settings.MEDIA_URL.strip("/"):
    media_prefix = re.escape(settings.MEDIA_URL.lstrip("/"))
    urlpatterns.append(
        re_path(rf"^{media_prefix}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    )

urlpatterns.append(path("", include(settings.DESKTOP_PROJECT_URLCONF)))
`;

/** The files of desktop_settings/, by name. */
export function desktopSettingsFiles(report: ProjectReport): Record<string, string> {
  return {
    "__init__.py": `${HEADER}"""Desktop settings for ${report.settingsModule}: dev.py and packaged.py, and their URLs."""\n`,
    "base.py": base(report),
    "dev.py": DEV,
    "packaged.py": PACKAGED,
    "urls.py": URLS,
  };
}

/**
 * desktop/requirements-desktop.txt: the project's requirements plus what
 * desktop_runtime and the desktop settings import (waitress; WhiteNoise if the
 * project lacks it), pinned as the starter's django/requirements.txt pins them. It reads requirements.txt with `-r`, unless some
 * lines must stay out (database-server drivers): then it is a copy without them.
 */
export function desktopRequirements(report: ProjectReport): string {
  const lines = ["# What `npm run stage` installs into the bundled Python: the project's", "# requirements, plus what the desktop settings need. Pin every version."];
  if (report.pyprojectRequirements) {
    const dropped = new Set(report.droppedRequirements);
    lines.push(`# The project's [project] dependencies from ../pyproject.toml${existsSync(path.join(report.root, "uv.lock")) ? ", at the versions ../uv.lock locks" : ""}:`);
    lines.push(...report.droppedRequirements.map((line) => `#   left out (the desktop app uses SQLite): ${line}`));
    lines.push(...report.pyprojectRequirements.filter((line) => !dropped.has(line)));
  } else if (report.requirements && report.droppedRequirements.length) {
    lines.push(`# A copy of ../${report.requirements} without the database-server drivers (the desktop app uses SQLite):`);
    lines.push(...report.droppedRequirements.map((line) => `#   left out: ${line}`));
    const dropped = new Set(report.droppedRequirements);
    const source = readFileSync(path.join(report.root, report.requirements), "utf8").split("\n");
    lines.push(...source.filter((line) => line.trim() && !dropped.has(line.trim())));
  } else if (report.requirements) {
    lines.push(`-r ../${report.requirements}`);
  }
  // desktop_serve's server, and the static-file middleware the desktop settings add.
  lines.push(starterPin("waitress"));
  if (!report.usesWhiteNoise) lines.push(starterPin("whitenoise"));
  return `${lines.join("\n")}\n`;
}
