/**
 * The Python files `npm run wrap` adds to a project: a `desktop_settings`
 * package beside manage.py whose modules import the project's own settings and
 * override only what a desktop app needs. The project's settings file is not
 * touched, so its hosted deployment keeps working.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { normalizedName, type WheelGap } from "./dependencies.ts";
import type { ProjectReport } from "./inspect.ts";
import { starterPin } from "./starterPins.ts";

const HEADER = "# Written by desktop-django-starter's `npm run wrap`; yours to edit.\n";

/** Lines that give a secret key read from the environment without a usable default a development value, before the project's settings load. */
function secretKeyDefault(report: ProjectReport): string {
  if (!report.secretKeyVariable) return "";
  const variable = report.secretKeyVariable;
  return `
# ${report.secretKeyWhere} reads SECRET_KEY from ${variable} with no usable default, so the
# settings could not load without your deployment's environment. A development-only
# value lets them load; packaged.py replaces SECRET_KEY with the per-install key
# kept in the app-data folder, so this value never signs anything in the app.
if not os.environ.get("${variable}"):
    os.environ["${variable}"] = "desktop-development-only-secret-key-not-for-deployment"
`;
}

/** The frontend build's folder as path parts from manage.py's folder, when it has a folder of its own (not manage.py's folder or one above it). */
function frontendBuildDir(report: ProjectReport): string[] | undefined {
  const parts = (report.frontendBuild?.cwd ?? ".").split("/").filter((part) => part && part !== ".");
  return parts.length && parts.some((part) => part !== "..") ? parts : undefined;
}

/** The desktop contract on top of the settings module \`module\`: the part base.py and test.py share. */
function contract(report: ProjectReport, module: string): string {
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
  const apps = report.queues.some((queue) => queue.worker) ? '"desktop_runtime", "desktop_settings"' : '"desktop_runtime"';
  const buildDir = frontendBuildDir(report);
  const buildLines = buildDir
    ? `
# The frontend build's own folder (desktop/src/project.ts's frontendBuild): what it
# writes there (a manifest, bundles) the app only reads, so writable.py leaves it.
DESKTOP_FRONTEND_BUILD_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ${buildDir.map((part) => JSON.stringify(part)).join(", ")})
`
    : "";
  return `import os
${secretKeyDefault(report)}
from ${module} import *  # noqa: F403
from ${module} import INSTALLED_APPS, MIDDLEWARE, ROOT_URLCONF
${buildLines}
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


INSTALLED_APPS = [*INSTALLED_APPS, ${apps}]

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

function base(report: ProjectReport): string {
  return `${HEADER}"""Desktop settings shared by development and packaged runs.

The project's own settings (${report.settingsModule}) come first, unchanged;
below them is only what the desktop shell needs: the runtime contract's
variables, loopback hosts, the shell's request guards, plain-http cookies,
static files through WhiteNoise, and the desktop URLs in front of the project's.
"""

${contract(report, report.settingsModule)}`;
}

/** desktop_settings/test.py: the project's own test settings (or the desktop development settings) with the desktop contract. */
function testSettings(report: ProjectReport): string {
  if (!report.testSettings) {
    return `${HEADER}"""Desktop test settings: the project names no test settings of its own, so its
tests run on the desktop development settings (from manage.py's folder):

    ${report.testRunner.command}
"""

from .dev import *  # noqa: F403
`;
  }
  return `${HEADER}"""Desktop test settings: the project's own test settings (${report.testSettings.module},
found in ${report.testSettings.where}) with the desktop contract on top, so its tests
run as they do on their own settings, plus the desktop's hosts, guards and URLs
(from manage.py's folder):

    ${report.testRunner.command}
"""

import tempfile
from pathlib import Path

${contract(report, report.testSettings.module)}
from .writable import writable_settings  # noqa: E402

# The desktop app runs on SQLite; Django's test runner makes the test database from this.
_DATA_DIR = Path(__file__).resolve().parent.parent / ".dev-data"
_DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": _DATA_DIR / "test.sqlite3"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="desktop-test-media-")
# What the settings would write next to the code (logs, file storages) goes below .dev-data/test/.
globals().update(writable_settings(globals(), Path(__file__).resolve().parent.parent, _DATA_DIR / "test"))
`;
}

const DEV = `${HEADER}"""Desktop development settings: the project's code from the checkout, loud errors.

The database and uploads go to the shell's app-data folder, or to .dev-data/
beside manage.py when Django runs without the shell.
"""

from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR, DESKTOP_DJANGO_APP_DATA_DIR
from .writable import queue_settings, writable_settings

DEBUG = True

DATA_DIR = (
    Path(DESKTOP_DJANGO_APP_DATA_DIR) if DESKTOP_DJANGO_APP_DATA_DIR else Path(BASE_DIR) / ".dev-data"
)
DATA_DIR.mkdir(parents=True, exist_ok=True)

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "app.sqlite3"}}
MEDIA_ROOT = DATA_DIR / "media"

# What the project would write next to its code, and its task queue's files, in DATA_DIR.
globals().update(writable_settings(globals(), Path(__file__).resolve().parent.parent, DATA_DIR))
globals().update(queue_settings(globals(), DATA_DIR))

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
from .writable import queue_settings, writable_settings

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

# What the project would write next to its code, and its task queue's files, in the app-data folder.
globals().update(writable_settings(globals(), Path(__file__).resolve().parent.parent, APP_DATA_DIR))
globals().update(queue_settings(globals(), APP_DATA_DIR))

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

const pythonSource = (name: string) => readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "python", name), "utf8");

/** desktop_settings/apps.py: the app that declares the task queue's worker to the shell. */
function appsPy(worker: string): string {
  return `${HEADER}"""desktop_settings as an app: it declares the project's task-queue worker to the shell."""

from django.apps import AppConfig


class DesktopSettingsConfig(AppConfig):
    name = "desktop_settings"
    verbose_name = "Desktop settings"
    # desktop_serve lists it in its DESKTOP_DJANGO_SERVING line; the shell runs
    # \`manage.py ${worker}\` beside the server and stops it with the app.
    desktop_worker_command = "${worker}"
`;
}

/**
 * desktop_settings/__init__.py. Django imports it before the project's settings and apps, so the stdin
 * watch of desktop_serve and of the worker the shell names starts before they load, as the starter's
 * own manage.py starts it: a shell that dies while they load is not outlived by seconds.
 */
function initPy(settingsModule: string): string {
  return `${HEADER}"""Desktop settings for ${settingsModule}: dev.py, packaged.py and test.py, and their URLs.

Importing this package starts the stdin watch of desktop_serve and of the
worker the shell names (desktop_runtime/lifetime.py) before your settings and
apps load: the process ends with the shell even while it is still starting.
"""

import sys

from desktop_runtime.lifetime import watch_stdin_before_django_loads

watch_stdin_before_django_loads(sys.argv)
`;
}

/** The files of desktop_settings/, by name ("/"-separated below it). */
export function desktopSettingsFiles(report: ProjectReport): Record<string, string> {
  const files: Record<string, string> = {
    "__init__.py": initPy(report.settingsModule),
    "base.py": base(report),
    "dev.py": DEV,
    "packaged.py": PACKAGED,
    "test.py": testSettings(report),
    "urls.py": URLS,
    "writable.py": pythonSource("writable.py"),
  };
  const worker = report.queues.find((queue) => queue.worker)?.worker;
  if (worker) {
    files["apps.py"] = appsPy(worker);
    files["management/__init__.py"] = "";
    files["management/commands/__init__.py"] = "";
    files[`management/commands/${worker}.py`] = pythonSource(`${worker}.py`);
  }
  return files;
}

/**
 * desktop/requirements-desktop.txt: the project's full resolved set of runtime
 * packages, pinned (scripts/wrap/dependencies.ts says from where), without the
 * server-only packages, plus what desktop_runtime and the desktop settings
 * import (waitress; WhiteNoise if the project lacks it), pinned as the
 * starter's django/requirements.txt pins them.
 */
export function desktopRequirements(report: ProjectReport, wheelGaps: WheelGap[] = []): string {
  const resolved = report.resolvedRequirements;
  const from =
    resolved.source === "uv.lock" ? "as ../uv.lock locks them" : resolved.source === "virtualenv" ? `as ../${report.venv}/ has them installed` : `as ../${report.requirements ?? "requirements.txt"} declares them`;
  const lines = [
    "# What `npm run stage` installs into the bundled Python. Written by `npm run wrap`:",
    `# the project's runtime packages and their dependencies, ${from}, then what the desktop settings need.`,
    ...report.leftOutRequirements.map((dropped) => `#   left out: ${dropped.line} (${dropped.reason}; \`--keep ${dropped.name}\` keeps it)`),
    ...wheelGaps.map((gap) => (gap.sourceOnly ? `#   only a source archive on PyPI (fine when pure Python): ${gap.line}` : `#   no wheel for ${gap.missing.join(", ")}: ${gap.line}`)),
    ...resolved.lines,
  ];
  const names = new Set(resolved.lines.map((line) => normalizedName(/^[A-Za-z0-9._-]+/.exec(line)?.[0] ?? "")));
  // desktop_serve's server, and the static-file middleware the desktop settings add.
  if (!names.has("waitress")) lines.push(starterPin("waitress"));
  if (!names.has("whitenoise")) lines.push(starterPin("whitenoise"));
  return `${lines.join("\n")}\n`;
}
