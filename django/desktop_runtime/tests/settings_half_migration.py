"""Runtime-only settings plus an app whose migration changes data, then fails."""

from desktop_runtime.tests.settings_runtime_only import *

INSTALLED_APPS = [*INSTALLED_APPS, "desktop_runtime.tests.half_migration_app"]
