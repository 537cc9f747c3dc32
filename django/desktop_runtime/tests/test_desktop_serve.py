"""`desktop_serve` as the shell sees it: real processes, real ports, real SQLite files."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from unittest import skipUnless

from django.test import SimpleTestCase

from .support import (
    MANAGE_PY,
    TEST_SETTINGS,
    backend_environment,
    change_database,
    free_port,
    http_get,
    needs_demo,
    process_is_gone,
    query_database,
    start_command,
)

TOKEN = "test-token-" + "x" * 40
# A shell in miniature: starts desktop_serve with stdin a pipe it never
# writes to, says so, and waits to be killed.
SUPERVISOR = """
import subprocess, sys, time
subprocess.Popen([sys.executable, sys.argv[1], "desktop_serve"], stdin=subprocess.PIPE)
print("spawned", flush=True)
time.sleep(60)
"""


def reaches_eof_within(stream, seconds: float) -> bool:
    finished = threading.Event()

    def drain():
        while stream.read(4096):
            pass
        finished.set()

    threading.Thread(target=drain, daemon=True).start()
    return finished.wait(seconds)


STARTER_PONY_COUNT = 5


class DesktopServeTestCase(SimpleTestCase):
    def setUp(self):
        temporary = tempfile.TemporaryDirectory(prefix="dds-serve-")
        self.addCleanup(temporary.cleanup)
        self.root = Path(temporary.name)
        self.app_data = self.root / "app-data"
        self.app_data.mkdir()
        self.database = self.app_data / "app.sqlite3"

    def start(self, *args, settings_module=TEST_SETTINGS, **env):
        environment = backend_environment(self.app_data, settings_module, **env)
        return start_command(self, ["desktop_serve", *args], environment, cwd=self.root)

    def assert_exits_within(self, backend, seconds):
        started = time.monotonic()
        backend.close_stdin()
        code = backend.wait(timeout=seconds)
        self.assertLess(time.monotonic() - started, seconds)
        return code


@needs_demo
class FirstAndLaterRunsTests(DesktopServeTestCase):
    def test_first_run_migrates_seeds_and_serves_then_later_runs_keep_the_data(self):
        bundle = self.root / "bundle"
        (bundle / "static").mkdir(parents=True)
        (bundle / "static" / "probe.txt").write_text("collected")
        port = free_port()
        packaged = {
            "settings_module": "desktop_django_starter.settings.packaged",
            "DESKTOP_DJANGO_BUNDLE_DIR": bundle,
            "DESKTOP_DJANGO_PORT": port,
            "DESKTOP_DJANGO_AUTH_TOKEN": TOKEN,
        }

        # What the stage does: collect (hash, compress) the static files into the bundle.
        collect = start_command(
            self,
            ["collectstatic", "--noinput", "--verbosity", "0"],
            backend_environment(self.app_data, **packaged),
            cwd=self.root,
        )
        self.assertEqual(collect.wait(timeout=60), 0, collect.stderr())
        collected = sorted(bundle.rglob("*"))

        backend = self.start(**packaged)
        serving = backend.wait_for_serving()
        self.assertEqual(serving["url"], f"http://127.0.0.1:{port}/")
        if os.name == "posix":
            # On Windows a venv's Scripts\python.exe is a launcher that runs the
            # real interpreter as its child, so the serving pid differs there.
            self.assertEqual(serving["pid"], backend.process.pid)
        self.assertEqual(serving["workers"], ["run_routines"])
        self.assertIs(serving["auto_login"], False)
        self.assertEqual(backend.output, [backend.output[0]], "the SERVING line comes first")

        status, body, _ = http_get(f"{serving['url']}health/", TOKEN)
        self.assertEqual((status, body), (200, '{"status": "ok"}'))
        status, body, _ = http_get(serving["url"], TOKEN)
        self.assertEqual(status, 200)
        self.assertIn("Thunder Hoof", body)
        status, body, _ = http_get(f"{serving['url']}static/probe.txt", TOKEN)
        self.assertEqual((status, body), (200, "collected"))
        self.assertEqual(http_get(f"{serving['url']}health/")[0], 403)

        count = query_database(self.database, "SELECT COUNT(*) FROM example_app_item")
        self.assertEqual(count, [(STARTER_PONY_COUNT,)])
        self.assertTrue((self.app_data / "secret_key").is_file())
        self.assertEqual(self.assert_exits_within(backend, 2), 0)

        # The user releases all ponies but one and renames it.
        change_database(self.database, "DELETE FROM example_app_item WHERE title != 'Thunder Hoof'")
        change_database(self.database, "UPDATE example_app_item SET title = 'Only Pony'")

        backend = self.start(**packaged)
        backend.wait_for_serving()
        titles = query_database(self.database, "SELECT title FROM example_app_item")
        self.assertEqual(titles, [("Only Pony",)], "a later start never seeds again")
        self.assertEqual(self.assert_exits_within(backend, 2), 0)

        # Then deletes the last one: the stable stays empty, even after a restart.
        change_database(self.database, "DELETE FROM example_app_item")
        backend = self.start(**packaged)
        backend.wait_for_serving()
        self.assertEqual(
            query_database(self.database, "SELECT COUNT(*) FROM example_app_item"), [(0,)]
        )
        self.assertEqual(self.assert_exits_within(backend, 2), 0)

        self.assertEqual(sorted(bundle.rglob("*")), collected, "serving wrote into the bundle")


@needs_demo
class SeedingTests(DesktopServeTestCase):
    def start_and_stop(self):
        backend = self.start(DESKTOP_DJANGO_PORT=free_port())
        backend.wait_for_serving()
        self.assertEqual(self.assert_exits_within(backend, 2), 0)

    def pony_count(self):
        return query_database(self.database, "SELECT COUNT(*) FROM example_app_item")[0][0]

    def test_a_database_migrated_by_hand_gets_its_starter_ponies_once(self):
        environment = backend_environment(self.app_data, "desktop_django_starter.settings.dev")
        migrate = start_command(self, ["migrate", "--verbosity", "0"], environment, cwd=self.root)
        self.assertEqual(migrate.wait(timeout=60), 0, migrate.stderr())
        self.assertEqual(self.pony_count(), 0, "migrate alone seeds nothing")

        self.start_and_stop()
        self.assertEqual(self.pony_count(), STARTER_PONY_COUNT)

        change_database(self.database, "DELETE FROM example_app_item")
        self.start_and_stop()
        self.assertEqual(self.pony_count(), 0, "released ponies stay released")

    def test_a_database_from_before_the_seeding_marker_is_not_seeded_again(self):
        self.start_and_stop()
        # Make it a database seeded by a version without the marker, whose user released every pony.
        change_database(self.database, "DELETE FROM example_app_item")
        change_database(self.database, "DROP TABLE desktop_runtime_seeding")
        change_database(
            self.database, "DELETE FROM django_migrations WHERE app = 'desktop_runtime'"
        )

        self.start_and_stop()
        self.assertEqual(self.pony_count(), 0)
        self.assertEqual(
            query_database(self.database, "SELECT COUNT(*) FROM desktop_runtime_seeding"), [(1,)]
        )


class LifetimeTests(DesktopServeTestCase):
    def test_closing_stdin_ends_the_server_within_two_seconds(self):
        backend = self.start(DESKTOP_DJANGO_PORT=free_port())
        serving = backend.wait_for_serving()
        self.assertEqual(http_get(f"{serving['url']}health/")[0], 200)
        self.assertEqual(self.assert_exits_within(backend, 2), 0)

    def test_a_supervisor_killed_right_after_spawn_leaves_nothing_behind_after_two_seconds(self):
        # Django takes five seconds to load here: the watcher must already be
        # running, so the backend ends long before its settings are read.
        environment = backend_environment(
            self.app_data,
            "desktop_runtime.tests.settings_slow_start",
            DESKTOP_DJANGO_PORT=free_port(),
        )
        for attempt in range(10):
            with self.subTest(attempt=attempt):
                supervisor = subprocess.Popen(
                    [sys.executable, "-c", SUPERVISOR, str(MANAGE_PY)],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    env=environment,
                    cwd=self.root,
                )
                self.addCleanup(supervisor.stdout.close)
                self.assertEqual(supervisor.stdout.readline().strip(), b"spawned")
                supervisor.kill()
                supervisor.wait(timeout=5)
                # The backend shares the supervisor's stdout: the pipe reaches
                # end-of-file only once the backend has exited too.
                self.assertTrue(
                    reaches_eof_within(supervisor.stdout, 2),
                    "the backend outlived its supervisor by more than 2 s",
                )

    @skipUnless(os.name == "posix", "checks the reloader child's pid with os.kill(pid, 0)")
    def test_reload_restarts_on_python_edits_and_both_processes_end_with_stdin(self):
        # A settings module of our own that we can edit, like a developer would.
        probe_dir = self.root / "probe"
        probe_dir.mkdir()
        probe = probe_dir / "reload_probe_settings.py"
        probe.write_text(f"from {TEST_SETTINGS} import *  # noqa\n")
        backend = self.start(
            "--reload",
            settings_module="reload_probe_settings",
            PYTHONPATH=probe_dir,
            DESKTOP_DJANGO_PORT=free_port(),
        )
        first_child = backend.wait_for_serving()["pid"]
        self.assertNotEqual(first_child, backend.process.pid)

        # Touch the file until the reloader (it polls once a second) notices.
        deadline = time.monotonic() + 15
        second_child = None
        while second_child is None and time.monotonic() < deadline:
            stamp = time.time() + 10 * (15 - (deadline - time.monotonic()))
            os.utime(probe, (stamp, stamp))
            try:
                second_child = backend.wait_for_serving(timeout=1.5)["pid"]
            except AssertionError:
                continue
        self.assertIsNotNone(second_child, "the server did not restart after an edit")
        self.assertNotEqual(second_child, first_child)
        self.assertTrue(process_is_gone(first_child))

        self.assertEqual(self.assert_exits_within(backend, 2), 0)
        self.assertTrue(process_is_gone(second_child))


class ExitCodeTests(DesktopServeTestCase):
    def test_a_port_in_use_exits_with_code_10(self):
        with closing(socket.socket()) as occupant:
            occupant.bind(("127.0.0.1", 0))
            occupant.listen()
            port = occupant.getsockname()[1]
            backend = self.start(DESKTOP_DJANGO_PORT=port)
            self.assertEqual(backend.wait(timeout=20), 10)
        self.assertIn(f"desktop_serve: port {port} is already in use", backend.stderr())
        self.assertEqual(backend.output, [])

    def test_a_missing_port_exits_with_code_2(self):
        backend = self.start()
        self.assertEqual(backend.wait(timeout=20), 2)
        self.assertIn("desktop_serve: DESKTOP_DJANGO_PORT is not set", backend.stderr())

    def test_a_failing_migration_exits_with_code_11(self):
        backend = self.start(
            settings_module="desktop_runtime.tests.settings_broken_migration",
            DESKTOP_DJANGO_PORT=free_port(),
        )
        self.assertEqual(backend.wait(timeout=20), 11)
        last_line = backend.stderr().strip().splitlines()[-1]
        self.assertEqual(
            last_line,
            "desktop_serve: migration failed: OperationalError: no such table: "
            "table_that_does_not_exist",
        )
        self.assertEqual(backend.output, [], "no SERVING line after a failed migration")

    def assert_reported_corrupt_and_untouched(self, problem: str):
        before = self.database.read_bytes()
        backend = self.start(DESKTOP_DJANGO_PORT=free_port())
        self.assertEqual(backend.wait(timeout=20), 13)
        self.assertEqual(backend.output, [], "no SERVING line for a damaged database")
        message = backend.stderr().strip().splitlines()[-1]
        self.assertTrue(
            message.startswith(f"desktop_serve: the database {self.database} is damaged ("),
            message,
        )
        self.assertIn(problem, message)
        self.assertIn(f"put a backup from {self.app_data / 'backups'} in its place", message)
        self.assertEqual(self.database.read_bytes(), before)
        self.assertEqual(sorted(self.app_data.iterdir()), [self.database], "files were added")

    def test_a_file_that_is_no_database_exits_with_code_13_and_is_left_untouched(self):
        self.database.write_bytes(b"this is not a SQLite database " * 100)
        self.assert_reported_corrupt_and_untouched("file is not a database")

    def test_a_database_damaged_in_the_middle_exits_with_code_13_and_is_left_untouched(self):
        backend = self.start(DESKTOP_DJANGO_PORT=free_port())
        backend.wait_for_serving()
        self.assertEqual(self.assert_exits_within(backend, 2), 0)
        change_database(self.database, "PRAGMA journal_mode=DELETE")  # no -wal file beside it
        # Garbage over a page in the middle of the file: the table of applied migrations.
        ((root_page,),) = query_database(
            self.database, "SELECT rootpage FROM sqlite_master WHERE name = 'django_migrations'"
        )
        pages = self.database.stat().st_size // 4096
        self.assertTrue(1 < root_page < pages, (root_page, pages))
        with self.database.open("r+b") as file:
            file.seek((root_page - 1) * 4096)
            file.write(bytes(range(256)) * 16)
        self.assert_reported_corrupt_and_untouched("malformed")

    def test_a_database_from_a_newer_version_exits_with_code_12_and_is_left_untouched(self):
        port = free_port()
        backend = self.start(DESKTOP_DJANGO_PORT=port)
        backend.wait_for_serving()
        self.assertEqual(self.assert_exits_within(backend, 2), 0)
        # What version 1.1.0 leaves behind for version 1.0.0 after a downgrade.
        change_database(
            self.database,
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('desktop_runtime', '0099_from_a_newer_version', '2026-01-01')",
        )
        before = self.database.read_bytes()

        backend = self.start(DESKTOP_DJANGO_PORT=port)
        self.assertEqual(backend.wait(timeout=20), 12)
        self.assertEqual(
            backend.stderr().strip().splitlines()[-1],
            "desktop_serve: the database was last used by a newer version of the app: it has "
            "migrations this version does not know (desktop_runtime.0099_from_a_newer_version)",
        )
        self.assertEqual(backend.output, [], "no SERVING line for a newer database")
        self.assertEqual(self.database.read_bytes(), before)


@needs_demo
class LaterMigrationTests(DesktopServeTestCase):
    def test_a_migration_the_database_has_not_seen_is_applied_on_the_next_start(self):
        port = free_port()
        backend = self.start(DESKTOP_DJANGO_PORT=port, DESKTOP_DJANGO_AUTH_TOKEN=TOKEN)
        backend.wait_for_serving()
        self.assertEqual(self.assert_exits_within(backend, 2), 0)

        # Make it a database from a version before the routines app existed.
        tables = query_database(
            self.database,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'routines_%'",
        )
        self.assertTrue(tables)
        for (table,) in tables:
            change_database(self.database, f'DROP TABLE "{table}"')
        change_database(self.database, "DELETE FROM django_migrations WHERE app = 'routines'")

        backend = self.start(DESKTOP_DJANGO_PORT=port, DESKTOP_DJANGO_AUTH_TOKEN=TOKEN)
        serving = backend.wait_for_serving()
        self.assertEqual(
            query_database(
                self.database, "SELECT name FROM django_migrations WHERE app = 'routines'"
            ),
            [("0001_initial",), ("0002_routines_run_as_tasks",)],
        )
        self.assertEqual(http_get(f"{serving['url']}routines/", TOKEN)[0], 200)
        self.assertEqual(self.assert_exits_within(backend, 2), 0)


@needs_demo
class WorkerListTests(DesktopServeTestCase):
    def test_without_the_routines_app_no_worker_is_listed_and_its_urls_are_gone(self):
        backend = self.start(
            settings_module="desktop_runtime.tests.settings_without_routines",
            DESKTOP_DJANGO_PORT=free_port(),
        )
        serving = backend.wait_for_serving()
        self.assertEqual(serving["workers"], [])
        status, body, _ = http_get(serving["url"])
        self.assertEqual(status, 200)
        self.assertNotIn("Stable Routines", body)
        self.assertEqual(http_get(f"{serving['url']}routines/")[0], 404)
        self.assertEqual(self.assert_exits_within(backend, 2), 0)


class BurstTests(DesktopServeTestCase):
    CONCURRENT = 200

    def test_200_concurrent_requests_are_all_answered(self):
        """A burst waits in the listen backlog; the dev server's backlog of 10 reset 86 of 200."""
        port = free_port()
        backend = self.start(DESKTOP_DJANGO_PORT=port, DESKTOP_DJANGO_AUTH_TOKEN=TOKEN)
        url = f"{backend.wait_for_serving()['url']}health/"
        start_together = threading.Barrier(self.CONCURRENT)

        def one_request(_):
            start_together.wait(timeout=30)
            try:
                return http_get(url, TOKEN, timeout=60)[0]
            except OSError as error:
                return type(error).__name__

        with ThreadPoolExecutor(max_workers=self.CONCURRENT) as pool:
            statuses = list(pool.map(one_request, range(self.CONCURRENT)))
        self.assertEqual(Counter(statuses), {200: self.CONCURRENT})
        # Linux drops (rather than resets) connections beyond the backlog and the
        # client retries, so the burst above passes slowly even with a backlog of
        # 10; `ss` shows the backlog itself (Send-Q of the listening socket).
        if shutil.which("ss"):
            listening = subprocess.run(
                ["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=True
            ).stdout.split()
            self.assertGreaterEqual(int(listening[2]), self.CONCURRENT, listening)
        self.assertNotIn(TOKEN, backend.stderr())
        self.assertEqual(self.assert_exits_within(backend, 2), 0)
