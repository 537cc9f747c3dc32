from django.apps import AppConfig


class HalfMigrationAppConfig(AppConfig):
    name = "desktop_runtime.tests.half_migration_app"
    label = "half_migration_app"
