"""Development settings plus an app whose migration always fails."""

from desktop_django_starter.settings.dev import *

INSTALLED_APPS = [*INSTALLED_APPS, "desktop_runtime.tests.broken_migration_app"]
