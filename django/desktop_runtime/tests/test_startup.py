"""The cycle collector's pause during desktop_serve's start (desktop_runtime.startup)."""

import gc
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

from django.test import SimpleTestCase

from desktop_runtime import startup

from .support import MANAGE_PY, TEST_SETTINGS, backend_environment, free_port

# manage.py as a shell runs it, except that the server reports the collector's
# state and returns instead of serving; and a pre_migrate receiver notes
# whether the collector was on when migrations ran.
REPORT_INSTEAD_OF_SERVING = """
import gc, json, os, runpy, sys
import waitress.server
from django.db.models.signals import pre_migrate

seen = {}
pre_migrate.connect(
    lambda **kwargs: seen.setdefault("on_during_migrate", gc.isenabled()), weak=False
)
seen_when_serving = lambda: {"on_when_serving": gc.isenabled(), "frozen": gc.get_freeze_count()}
waitress.server.BaseWSGIServer.run = lambda self: print(
    "GC " + json.dumps({**seen_when_serving(), **seen}), flush=True
)
sys.argv = [sys.argv[1], "desktop_serve"]
sys.path.insert(0, os.path.dirname(sys.argv[0]))
runpy.run_path(sys.argv[0], run_name="__main__")
"""


class PauseTests(SimpleTestCase):
    def setUp(self):
        self.addCleanup(gc.enable)
        self.addCleanup(setattr, startup, "_paused", False)

    def test_desktop_serve_pauses_the_collector_and_resume_freezes_the_start(self):
        startup.pause_gc_until_serving(["manage.py", "desktop_serve"])
        self.assertFalse(gc.isenabled())
        startup.resume_gc()
        self.assertTrue(gc.isenabled())
        self.assertGreater(gc.get_freeze_count(), 0)
        gc.unfreeze()

    def test_other_commands_and_the_reloader_keep_the_collector_running(self):
        for argv in (
            ["manage.py", "migrate"],
            ["manage.py", "desktop_serve", "--reload"],
            ["manage.py"],
        ):
            with self.subTest(argv=argv), mock.patch.dict(os.environ):
                os.environ.pop("RUN_MAIN", None)
                startup.pause_gc_until_serving(argv)
                self.assertTrue(gc.isenabled())

    def test_the_reloaders_serving_child_pauses_the_collector(self):
        # Django's reloader starts the child that serves with RUN_MAIN=true.
        with mock.patch.dict(os.environ, RUN_MAIN="true"):
            startup.pause_gc_until_serving(["manage.py", "desktop_serve", "--reload"])
        self.assertFalse(gc.isenabled())
        startup.resume_gc()
        self.assertTrue(gc.isenabled())
        gc.unfreeze()

    def test_resume_leaves_a_collector_it_did_not_pause_alone(self):
        gc.disable()
        startup.resume_gc()
        self.assertFalse(gc.isenabled())
        self.assertEqual(gc.get_freeze_count(), 0)


class ThroughManagePyTests(SimpleTestCase):
    def start_and_report(self, app_data: Path) -> dict:
        env = backend_environment(
            app_data,
            TEST_SETTINGS,
            DESKTOP_DJANGO_HOST="127.0.0.1",
            DESKTOP_DJANGO_PORT=free_port(),
        )
        # stdin stays an open pipe, as the shell keeps it, until the report is in.
        process = subprocess.Popen(
            [sys.executable, "-c", REPORT_INSTEAD_OF_SERVING, str(MANAGE_PY)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            output = "".join(iter(process.stdout.readline, ""))
        finally:
            process.stdin.close()
            stderr = process.stderr.read()
            process.wait(timeout=60)
        self.assertEqual(process.returncode, 0, stderr)
        report = [line for line in output.splitlines() if line.startswith("GC ")]
        self.assertEqual(len(report), 1, output + stderr)
        return json.loads(report[0][3:])

    def test_the_collector_is_back_on_when_serving_and_during_migrations(self):
        with tempfile.TemporaryDirectory(prefix="dds-gc-") as app_data:
            first = self.start_and_report(Path(app_data))
            self.assertEqual(first["on_during_migrate"], True)
            self.assertTrue(first["on_when_serving"])
            later = self.start_and_report(Path(app_data))
            self.assertNotIn("on_during_migrate", later)
            self.assertTrue(later["on_when_serving"])
            # Frozen, so later collections do not walk what the start made.
            self.assertGreater(later["frozen"], 10_000)
