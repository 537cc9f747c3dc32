"""The app's lifecycle on Toga's dummy backend, with the real Django in this process.

One Django per process: this test class starts it once; the failure cases
run the app in a child process of their own.
"""

import asyncio
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
from pathlib import Path

from flying_stable_positron.app import main

HERE = Path(__file__).resolve().parent.parent


def dummy_environment(home: str) -> dict[str, str]:
    return {
        **os.environ,
        # Toga's dummy backend keeps app data under Path.home(): HOME, or USERPROFILE on Windows.
        "HOME": home,
        "USERPROFILE": home,
        "TOGA_BACKEND": "toga_dummy",
        "DESKTOP_ROUTINES_MIN_SECONDS": "0",
        "DESKTOP_ROUTINES_MAX_SECONDS": "0.1",
        "DESKTOP_ROUTINES_FAILURE_RATE": "0",
    }


def get(port: int, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


class AppLifecycleTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.home = tempfile.TemporaryDirectory()
        cls.saved_environment = dict(os.environ)
        os.environ.update(dummy_environment(cls.home.name))
        cls.app = main()
        cls.webview = cls.app.webview
        run_until_started(cls.app)

    @classmethod
    def tearDownClass(cls):
        type(cls.app).on_exit(cls.app)
        os.environ.clear()
        os.environ.update(cls.saved_environment)
        cls.home.cleanup()

    def test_the_window_goes_to_the_bootstrap_url_once_django_answers(self):
        backend = self.app.backend
        self.assertEqual(self.webview.url, backend.bootstrap_url())
        self.assertEqual(
            get(backend.port, "/health/", {"X-Desktop-Django-Token": backend.token}).status, 200
        )

    def test_the_contract_environment_is_set_in_this_process(self):
        backend = self.app.backend
        self.assertEqual(os.environ["DESKTOP_DJANGO_PORT"], str(backend.port))
        self.assertEqual(os.environ["DESKTOP_DJANGO_AUTH_TOKEN"], backend.token)
        self.assertEqual(os.environ["DESKTOP_DJANGO_APP_DATA_DIR"], str(self.app.app_data_dir))
        self.assertEqual(
            os.environ["DJANGO_SETTINGS_MODULE"], "desktop_django_starter.settings.dev"
        )
        self.assertTrue((self.app.app_data_dir / "app.sqlite3").is_file())
        self.assertEqual(Path.cwd(), backend.layout.django_dir)

    def test_outside_requests_without_the_token_get_403(self):
        port = self.app.backend.port
        for path in ("/", "/health/", "/routines/", "/desktop-auth/bootstrap/?token=wrong&next=/"):
            self.assertEqual(get(port, path).status, 403, path)

    def test_the_bootstrap_url_trades_the_token_for_a_cookie(self):
        backend = self.app.backend
        response = get(backend.port, backend.bootstrap_url().removeprefix(backend.origin))
        self.assertEqual(response.status, 302)
        self.assertEqual(response.getheader("Location"), "/")
        cookie = response.getheader("Set-Cookie")
        self.assertIn("HttpOnly", cookie)
        self.assertEqual(get(backend.port, "/", {"Cookie": cookie.split(";")[0]}).status, 200)

    def test_the_menu_holds_open_app_data_folder(self):
        texts = [getattr(command, "text", None) for command in self.app.commands]
        self.assertIn("Open App Data Folder", texts)
        self.assertIn("Flying Stable is starting", shown_pages(self.app)[0])

    def test_a_routine_runs_on_the_worker_thread_and_a_lost_one_is_queued_again(self):
        from django.tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from flying_stable_positron.worker import RoutinesWorker
        from routines.views import start_routine

        first = start_routine()
        self.assertEqual(wait_for_status(first.task_id), TaskResultStatus.SUCCESSFUL)

        # A worker that died mid-routine leaves its task RUNNING; the next one queues it again.
        self.assertTrue(self.app.worker.stop(timeout=5))
        lost = start_routine()
        DBTaskResult.objects.filter(pk=lost.task_id).update(
            status=TaskResultStatus.RUNNING, worker_ids=["worker-gone"]
        )
        self.app.worker = RoutinesWorker()
        self.app.worker.start()
        self.assertEqual(wait_for_status(lost.task_id), TaskResultStatus.SUCCESSFUL)
        self.assertEqual(DBTaskResult.objects.get(pk=lost.task_id).worker_ids[0], "worker-gone")


def shown_pages(app) -> list[str]:
    """The HTML the app put in its web view itself (set_content), in order."""
    from toga_dummy.utils import EventLog

    return [action["content"] for action in EventLog.performed_actions(app.webview, "set content")]


def run_until_started(app) -> None:
    """Run the app's event loop (where Toga queued on_running) until Django serves or failed."""

    async def started():
        while app.outcome is None:
            await asyncio.sleep(0.02)

    app.loop.run_until_complete(asyncio.wait_for(started(), 60))


def wait_for_status(task_id, seconds: float = 15.0):
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = DBTaskResult.objects.get(pk=task_id).status
        if status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED):
            return status
        time.sleep(0.05)
    return status


RUN_APP = textwrap.dedent(
    """
    import json
    from tests.test_app_dummy import main
    from tests.test_app_dummy import run_until_started, shown_pages
    app = main()
    run_until_started(app)
    type(app).on_exit(app)
    shown = {"content": shown_pages(app)[-1], "url": app.webview.url, "port": app.backend.port}
    print(json.dumps(shown))
    """
)


class StartFailureTests(unittest.TestCase):
    def run_app(self, prepare) -> dict:
        with tempfile.TemporaryDirectory() as home:
            data = Path(home) / "user_data" / "org.desktop_django_starter.flying_stable_positron"
            data.mkdir(parents=True)
            prepare(data)
            done = subprocess.run(
                [sys.executable, "-c", RUN_APP],
                env=dummy_environment(home),
                capture_output=True,
                text=True,
                timeout=60,
                cwd=HERE,
            )
        self.assertEqual(done.returncode, 0, done.stderr)
        return json.loads(done.stdout.strip().splitlines()[-1])

    def test_a_database_that_is_not_sqlite_is_shown_in_the_window(self):
        result = self.run_app(
            lambda data: (data / "app.sqlite3").write_text("not a database" * 100)
        )
        self.assertIn("could not start", result["content"])
        self.assertIn("DatabaseError: file is not a database", result["content"])
        # The log's last lines, the exception Django raised among them.
        self.assertIn("django.db.utils.DatabaseError: file is not a database", result["content"])
        self.assertIsNone(result["url"])  # never went to Django
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", result["port"]), timeout=2).close()
