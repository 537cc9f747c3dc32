"""Runtime-only settings plus an app whose migration always fails."""

from desktop_runtime.tests.settings_runtime_only import *

INSTALLED_APPS = [*INSTALLED_APPS, "desktop_runtime.tests.broken_migration_app"]
