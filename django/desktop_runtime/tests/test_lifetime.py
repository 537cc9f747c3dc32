"""The lifetime rule while Django is still loading: real processes, settings that load slowly.

settings_slow_start sleeps five seconds while Django imports it, as a first
start on a cold disk might. A process whose stdin closes meanwhile must be
gone within two seconds, so it must watch before Django loads.
"""

import tempfile
import time
from pathlib import Path

from django.test import SimpleTestCase

from .support import backend_environment, start_command

SLOW_SETTINGS = "desktop_runtime.tests.settings_slow_start"


class WatchBeforeDjangoLoadsTests(SimpleTestCase):
    def setUp(self):
        temporary = tempfile.TemporaryDirectory(prefix="dds-lifetime-")
        self.addCleanup(temporary.cleanup)
        self.root = Path(temporary.name)

    def start(self, args, **env):
        environment = backend_environment(self.root, SLOW_SETTINGS, **env)
        return start_command(self, args, environment, cwd=self.root)

    def assert_gone_within(self, process, seconds):
        started = time.monotonic()
        process.close_stdin()
        process.wait(timeout=seconds + 10)
        elapsed = time.monotonic() - started
        self.assertLess(elapsed, seconds, f"still running {elapsed:.1f} s after its stdin closed")

    def test_a_worker_the_shell_names_ends_within_two_seconds_while_django_loads(self):
        # As final/src/worker.ts starts it: DESKTOP_DJANGO_WORKER names the command.
        worker = self.start(["desktop_db_worker"], DESKTOP_DJANGO_WORKER="desktop_db_worker")
        time.sleep(0.5)
        self.assert_gone_within(worker, 2)
        self.assertNotIn("ready", "\n".join(worker.output))

    def test_desktop_serve_ends_within_two_seconds_while_django_loads(self):
        server = self.start(["desktop_serve"], DESKTOP_DJANGO_PORT="8123")
        time.sleep(0.5)
        self.assert_gone_within(server, 2)

    def test_other_commands_keep_their_stdin_even_when_a_worker_is_named(self):
        # A command run from a worker's environment (a task that calls
        # manage.py) is not the worker: it reads its stdin, and a closed pipe
        # does not end it.
        shell = start_command(
            self,
            ["shell", "-c", "print('ran to the end')"],
            backend_environment(self.root, DESKTOP_DJANGO_WORKER="desktop_db_worker"),
            cwd=self.root,
        )
        shell.close_stdin()
        shell.wait_for_line("ran to the end", timeout=60)
        self.assertEqual(shell.wait(timeout=60), 0, shell.stderr())
