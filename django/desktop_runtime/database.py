"""Database preparation at start: pending migrations and first-run seeding."""

from django.apps import apps
from django.core.management import call_command
from django.db import connection


def apply_pending_migrations() -> bool:
    """Migrate the database if needed; return True if it was brand-new.

    Brand-new means Django had never migrated it: no django_migrations table.
    Checking the plan first skips the whole `migrate` command on the usual
    start, when nothing is pending.
    """
    from django.db.migrations.executor import MigrationExecutor

    brand_new = "django_migrations" not in connection.introspection.table_names()
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)
    return brand_new


def seed_new_database() -> None:
    """Give a brand-new database its starter data, once in its lifetime.

    Any installed app can take part by defining `desktop_seed_new_database()`
    on its AppConfig. A later start never calls it again, even if the user
    deleted everything it created.
    """
    for app_config in apps.get_app_configs():
        seed = getattr(app_config, "desktop_seed_new_database", None)
        if callable(seed):
            seed()


def worker_commands() -> list[str]:
    """Management commands the shell should run beside the server, one process each.

    Declared by installed apps as `desktop_worker_command` on their AppConfig.
    """
    return [
        app_config.desktop_worker_command
        for app_config in apps.get_app_configs()
        if getattr(app_config, "desktop_worker_command", None)
    ]
