"""App configuration of the always-failing test app."""

from django.apps import AppConfig


class BrokenMigrationAppConfig(AppConfig):
    name = "desktop_runtime.tests.broken_migration_app"
    label = "broken_migration_app"
