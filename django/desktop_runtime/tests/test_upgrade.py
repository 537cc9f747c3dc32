"""`desktop_serve --app-version`: the database before a new version migrates it.

Real processes and real SQLite files, as a shell (the Tauri shell) runs them.
The file names and JSON are the ones final/src/backup.ts reads and writes.
"""

import json
from datetime import UTC, datetime

from desktop_runtime import upgrade

from .support import change_database, free_port, query_database
from .test_desktop_serve import DesktopServeTestCase

RUNTIME_ONLY = "desktop_runtime.tests.settings_runtime_only"
HALF_MIGRATION = "desktop_runtime.tests.settings_half_migration"


class UpgradeTestCase(DesktopServeTestCase):
    def run_version(self, version, settings_module=RUNTIME_ONLY):
        """One start of `version` until it serves, then a quit; the backend for its stderr."""
        backend = self.start(
            "--app-version",
            version,
            settings_module=settings_module,
            DESKTOP_DJANGO_PORT=free_port(),
        )
        backend.wait_for_serving()
        self.assertEqual(self.assert_exits_within(backend, 5), 0)
        return backend

    def backups(self):
        folder = self.app_data / upgrade.BACKUPS_FOLDER
        return sorted(folder.iterdir()) if folder.exists() else []

    def add_user(self, name):
        change_database(
            self.database,
            "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, "
            "email, is_staff, is_active, date_joined) "
            "VALUES ('', 0, ?, '', '', '', 0, 1, '2026-01-01')",
            (name,),
        )

    def usernames(self, database):
        return [
            name
            for (name,) in query_database(database, "SELECT username FROM auth_user ORDER BY id")
        ]

    def read_json(self, name):
        return json.loads((self.app_data / name).read_text(encoding="utf-8"))


class BackupBeforeMigratingTests(UpgradeTestCase):
    def test_a_new_version_copies_the_database_once_and_records_itself(self):
        self.run_version("1.0.0")
        self.assertEqual(self.backups(), [], "a brand-new database has nothing to protect")
        self.assertEqual(self.read_json(upgrade.VERSION_FILE)["version"], "1.0.0")
        self.add_user("ada")

        backend = self.run_version("1.1.0")
        [copy] = self.backups()
        self.assertRegex(copy.name, upgrade.BACKUP_NAME)
        self.assertTrue(copy.name.startswith("app-1.0.0-"), copy.name)
        self.assertEqual(self.usernames(copy), ["ada"])
        self.assertIn(
            f"desktop_serve: backed up {self.database} (last run by version 1.0.0) to {copy}",
            backend.stderr(),
        )
        self.assertEqual(self.read_json(upgrade.VERSION_FILE)["version"], "1.1.0")
        self.assertFalse(
            (self.app_data / upgrade.PENDING_UPGRADE_FILE).exists(), "the upgrade is over"
        )

        self.run_version("1.1.0")
        self.assertEqual(len(self.backups()), 1, "the same version again takes no copy")

    def test_without_app_version_nothing_is_copied_or_recorded(self):
        backend = self.start(settings_module=RUNTIME_ONLY, DESKTOP_DJANGO_PORT=free_port())
        backend.wait_for_serving()
        self.assert_exits_within(backend, 5)
        backend = self.start(settings_module=RUNTIME_ONLY, DESKTOP_DJANGO_PORT=free_port())
        backend.wait_for_serving()
        self.assert_exits_within(backend, 5)
        self.assertEqual(self.backups(), [])
        self.assertFalse((self.app_data / upgrade.VERSION_FILE).exists())


class FailedMigrationTests(UpgradeTestCase):
    def start_version_2_with_a_failing_migration(self):
        return self.start(
            "--app-version",
            "2.0.0",
            settings_module=HALF_MIGRATION,
            DESKTOP_DJANGO_PORT=free_port(),
        )

    def test_a_migration_that_fails_halfway_leaves_the_old_database_in_place(self):
        self.run_version("1.0.0")
        self.add_user("ada")

        backend = self.start_version_2_with_a_failing_migration()
        self.assertEqual(backend.wait(timeout=30), 11)
        self.assertEqual(backend.output, [], "no SERVING line after a failed migration")
        # The migration's first statement had renamed every user for good: the copy undid it.
        self.assertEqual(self.usernames(self.database), ["ada"])
        [copy] = self.backups()
        lines = backend.stderr().strip().splitlines()
        self.assertEqual(
            lines[-1],
            "desktop_serve: migration failed: OperationalError: no such table: "
            "table_that_does_not_exist",
        )
        self.assertIn(
            f"desktop_serve: the database was put back from {copy}, the copy taken before "
            "the update: reinstall version 1.0.0 to keep working",
            lines,
        )
        self.assertNotIn(
            ("half_migration_app", "0001_half"),
            query_database(self.database, "SELECT app, name FROM django_migrations"),
        )
        self.assertEqual(self.read_json(upgrade.VERSION_FILE)["version"], "1.0.0")
        pending = self.read_json(upgrade.PENDING_UPGRADE_FILE)
        self.assertEqual(
            pending,
            {
                "previousVersion": "1.0.0",
                "currentVersion": "2.0.0",
                "database": str(self.database),
                "file": str(copy),
            },
        )

        # Another attempt restores the same pre-update copy; no copy of a half-migrated file.
        backend = self.start_version_2_with_a_failing_migration()
        self.assertEqual(backend.wait(timeout=30), 11)
        self.assertEqual(self.backups(), [copy])
        self.assertEqual(self.usernames(self.database), ["ada"])

        # The old version still starts on it.
        self.run_version("1.0.0")
        self.assertEqual(self.usernames(self.database), ["ada"])


class UnreadableDatabaseTests(UpgradeTestCase):
    def test_a_file_that_is_not_sqlite_is_neither_copied_nor_changed(self):
        self.database.write_bytes(b"this is not a SQLite database " * 100)
        before = self.database.read_bytes()
        backend = self.start("--app-version", "2.0.0", DESKTOP_DJANGO_PORT=free_port())
        # The integrity check runs first: a damaged file is reported as damaged (13), never copied.
        self.assertEqual(backend.wait(timeout=30), 13)
        self.assertIn(str(self.database), backend.stderr())
        self.assertIn("backups", backend.stderr())
        self.assertEqual(self.database.read_bytes(), before)
        self.assertEqual(self.backups(), [])
        self.assertFalse((self.app_data / upgrade.PENDING_UPGRADE_FILE).exists())


class FilesTests(UpgradeTestCase):
    def test_names_and_json_match_final_backup_ts(self):
        now = datetime(2026, 12, 6, 19, 3, 36, 123456, tzinfo=UTC)
        self.assertEqual(upgrade.iso_time(now), "2026-12-06T19:03:36.123Z")
        self.database.write_bytes(b"")
        change_database(self.database, "CREATE TABLE t (x)")
        (self.app_data / upgrade.VERSION_FILE).write_text(
            '{"version": "1.0.0 beta/2", "ranAt": "x"}'
        )
        backup = upgrade.backup_before_migrations(self.app_data, self.database, "1.1.0", now=now)
        self.assertEqual(
            backup.file,
            str(self.app_data / "backups" / "app-1.0.0_beta_2-2026-12-06T19-03-36.123Z.sqlite3"),
        )
        upgrade.record_run_version(self.app_data, "1.1.0", now=now)
        self.assertEqual(
            (self.app_data / upgrade.VERSION_FILE).read_text(),
            '{\n  "version": "1.1.0",\n  "ranAt": "2026-12-06T19:03:36.123Z"\n}\n',
        )

    def test_only_the_newest_copies_are_kept_and_other_files_stay(self):
        folder = self.app_data / "backups"
        folder.mkdir()
        names = [f"app-1.0.{n}-2026-01-0{n}T00-00-00.000Z.sqlite3" for n in range(1, 8)]
        for name in [*names, "notes.txt"]:
            (folder / name).write_text("")
        upgrade.prune_backups(folder, 5)
        self.assertEqual(
            sorted(path.name for path in folder.iterdir()), sorted([*names[2:], "notes.txt"])
        )
