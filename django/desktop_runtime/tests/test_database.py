"""How desktop_serve decides whether a database needs migrating."""

from unittest import mock

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import TestCase

from desktop_runtime.database import (
    DatabaseFromNewerVersion,
    apply_pending_migrations,
    migration_files,
    recorded_migrations,
)


class PendingMigrationTests(TestCase):
    def test_migration_files_are_the_ones_django_would_load(self):
        loader = MigrationLoader(connection, ignore_no_migrations=True)
        self.assertEqual(migration_files(), set(loader.disk_migrations))
        self.assertIn(("desktop_runtime", "0001_seeding"), migration_files())

    def test_a_fully_migrated_database_is_left_alone_without_loading_the_migration_graph(self):
        # The test database is fully migrated, as a user's database is on every start but the first.
        self.assertLessEqual(migration_files(), recorded_migrations())
        with mock.patch(
            "django.db.migrations.executor.MigrationExecutor",
            side_effect=AssertionError("the migration graph was loaded"),
        ):
            self.assertFalse(apply_pending_migrations())

    def test_an_unrecorded_migration_asks_django(self):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM django_migrations WHERE app = 'desktop_runtime'")
        with mock.patch("django.db.migrations.executor.MigrationExecutor") as executor:
            executor.return_value.migration_plan.return_value = []
            self.assertFalse(apply_pending_migrations())
        executor.assert_called_once_with(connection)


class NewerDatabaseTests(TestCase):
    def record(self, app, name):
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, '2026-01-01')",
                [app, name],
            )

    def test_an_applied_migration_this_code_does_not_have_stops_the_start(self):
        self.record("desktop_runtime", "0099_from_a_newer_version")
        with self.assertRaises(DatabaseFromNewerVersion) as raised:
            apply_pending_migrations()
        self.assertEqual(
            raised.exception.unknown, [("desktop_runtime", "0099_from_a_newer_version")]
        )
        self.assertIn("desktop_runtime.0099_from_a_newer_version", str(raised.exception))

    def test_records_of_an_app_that_is_no_longer_installed_are_left_alone(self):
        self.record("retired_app", "0001_initial")
        self.assertFalse(apply_pending_migrations())

    def test_migrations_a_squashed_migration_on_disk_replaces_are_known(self):
        self.record("desktop_runtime", "0002_replaced_by_a_squash")
        squash = mock.Mock(replaces=[("desktop_runtime", "0002_replaced_by_a_squash")])
        with mock.patch("django.db.migrations.loader.MigrationLoader") as loader:
            loader.return_value.disk_migrations = {("desktop_runtime", "0002_squashed"): squash}
            self.assertFalse(apply_pending_migrations())
