"""The real window: toga-gtk and WebKitGTK under Xvfb, Django and the worker in the app's process.

`python -m unittest tests.e2e_window` in experiments/positron (Linux, with
xvfb-run and WebKitGTK's GObject bindings). The app runs as the user would
start it, plus the test-only hook (DDS_POSITRON_TEST_HOOK=1, testhook.py),
through which the web view's own JavaScript answers the test. Screenshots go
to .test-results/positron/ at the repository's root.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
SCREENSHOTS = HERE.parent.parent / ".test-results" / "positron"
PREFIX = "POSITRON_TEST "


def missing_requirement() -> str | None:
    if not sys.platform.startswith("linux"):
        return "the real-window test runs toga-gtk, on Linux"
    if not shutil.which("xvfb-run"):
        return "xvfb-run is missing: run .ci/positron-deps.sh"
    probe = "import gi; gi.require_version('WebKit2', '4.1'); from gi.repository import WebKit2"
    if subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode != 0:
        return "WebKitGTK 4.1's GObject bindings are missing: run .ci/positron-deps.sh"
    return None


class RunningApp:
    """The app under xvfb-run, with its hook's events in a queue."""

    def __init__(self, home: Path, recorder_dir: Path):
        environment = {
            **os.environ,
            "HOME": str(home),
            "PATH": f"{recorder_dir}{os.pathsep}{os.environ['PATH']}",
            "BROWSER": str(recorder_dir / "browser"),
            "DDS_POSITRON_TEST_HOOK": "1",
            # Xvfb has no GPU: WebKitGTK then draws into the X window, where a screenshot sees it.
            "WEBKIT_DISABLE_COMPOSITING_MODE": "1",
            "DESKTOP_ROUTINES_MIN_SECONDS": "0.2",
            "DESKTOP_ROUTINES_MAX_SECONDS": "0.4",
            "DESKTOP_ROUTINES_FAILURE_RATE": "0",
        }
        environment.pop("TOGA_BACKEND", None)
        self.process = subprocess.Popen(
            [
                "xvfb-run",
                "-a",
                "-s",
                "-screen 0 1280x900x24",
                sys.executable,
                "-m",
                "flying_stable_positron",
            ],
            cwd=HERE / "src",
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.events: list[dict] = []
        self.taken: set[int] = set()
        self.output: list[str] = []
        self.next_id = 0
        threading.Thread(target=self.read, daemon=True).start()

    def read(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)
            if line.startswith(PREFIX):
                self.events.append(json.loads(line[len(PREFIX) :]))

    def wait_for(self, event: str, seconds: float = 60, **details) -> dict:
        """The first event of that kind and details not waited for yet, in the app's order."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for index, found in enumerate(self.events):
                if index in self.taken or found["event"] != event:
                    continue
                if all(found.get(key) == value for key, value in details.items()):
                    self.taken.add(index)
                    return found
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(
            f"no {event} {details} within {seconds} s; the app printed:\n"
            + "".join(self.output[-40:])
        )

    def ask(self, **command):
        self.next_id += 1
        self.process.stdin.write(json.dumps({"id": self.next_id, **command}) + "\n")
        self.process.stdin.flush()
        answer = self.wait_for("answer", id=self.next_id)
        if "error" in answer:
            raise AssertionError(f"{command}: {answer['error']}")
        return answer["result"]

    def js(self, expression: str):
        return self.ask(js=expression)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, 9)
            self.process.wait()


PAGE_STATE = (
    "JSON.stringify({h1: document.querySelector('h1').textContent.trim(),"
    " href: location.href, cookie: document.cookie})"
)
# A synchronous request from the page (its cookie, its origin): evaluate_javascript cannot await.
ROUTINE_STATUS = (
    "(() => { const r = new XMLHttpRequest(); r.open('GET', '/routines/status/', false);"
    " r.send(); return r.responseText; })()"
)


def status_without_credentials(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@unittest.skipIf(missing_requirement(), missing_requirement())
class RealWindowTests(unittest.TestCase):
    def setUp(self):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        temporary = tempfile.TemporaryDirectory()
        self.addCleanup(temporary.cleanup)
        self.home = Path(temporary.name) / "home"
        self.home.mkdir()
        self.recorder_dir = Path(temporary.name) / "bin"
        self.recorder_dir.mkdir()
        # Stand-ins for the file manager and the browser: they write down what they were to open.
        for name in ("xdg-open", "browser"):
            recorder = self.recorder_dir / name
            recorder.write_text(f'#!/bin/sh\necho "$1" >> "{self.recorder_dir}/{name}.log"\n')
            recorder.chmod(0o755)
        self.app_data = self.home / ".local" / "share" / "flying_stable_positron"

    def launch(self) -> RunningApp:
        app = RunningApp(self.home, self.recorder_dir)
        self.addCleanup(app.stop)
        return app

    def recorded(self, name: str, seconds: float = 10) -> list[str]:
        log = self.recorder_dir / f"{name}.log"
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not log.exists():
            time.sleep(0.1)
        return log.read_text().splitlines() if log.exists() else []

    def test_the_app_in_a_real_window(self):
        app = self.launch()
        origin = app.wait_for("serving")["origin"]
        port = int(origin.rsplit(":", 1)[1])
        app.wait_for("loaded", url=f"{origin}/")

        # The pony list, as the web view's own JavaScript sees it; no token in the address.
        state = json.loads(app.js(PAGE_STATE))
        self.assertEqual(state["h1"], "My Ponies")
        self.assertEqual(state["href"], f"{origin}/")
        self.assertNotIn("token", state["href"])
        self.assertNotIn(
            "desktop_django_token", state["cookie"]
        )  # HttpOnly: not readable by the page
        app.ask(screenshot=str(SCREENSHOTS / "pony-list.png"))

        # From outside, without the token or the cookie: 403 on every path.
        for path in ("/", "/health/", "/routines/"):
            self.assertEqual(status_without_credentials(f"{origin}{path}"), 403, path)

        # Another origin: refused in the window, handed to the system browser; no new window.
        app.js("location.href = 'https://example.org/elsewhere'; true")
        app.wait_for("refused", url="https://example.org/elsewhere", verdict="browser")
        # A link asking for a new window, clicked for real (no user gesture, no new window at all).
        app.js(
            "const a = document.createElement('a'); a.href = 'https://example.org/popup';"
            " a.target = '_blank'; a.textContent = 'popup';"
            " a.style = 'position:fixed;left:0;top:0;width:300px;height:300px;z-index:9';"
            " document.body.append(a); true"
        )
        app.ask(click=[150, 150])
        app.wait_for("refused", url="https://example.org/popup", verdict="browser")
        # window.open() from a real click: refused too, no new view is ever made.
        app.js(
            "a.removeAttribute('href');"
            " a.addEventListener('click', () => window.open('https://example.org/opened')); true"
        )
        app.ask(click=[150, 150])
        app.wait_for("refused", url="https://example.org/opened", verdict="browser")
        opened = [
            "https://example.org/elsewhere",
            "https://example.org/popup",
            "https://example.org/opened",
        ]
        self.assertEqual(self.recorded("browser"), opened)
        self.assertEqual(json.loads(app.js(PAGE_STATE))["href"], f"{origin}/")
        app.js("location.reload(); true")
        app.wait_for("loaded", url=f"{origin}/")

        # The menu command reaches its handler, which opens the app-data folder.
        self.assertTrue(app.ask(menu="Open App Data Folder"))
        app.wait_for("opened", path=str(self.app_data))
        self.assertEqual(self.recorded("xdg-open"), [str(self.app_data)])

        # A routine started from the page runs on the worker thread of the same process.
        app.js("location.href = '/routines/'; true")
        app.wait_for("loaded", url=f"{origin}/routines/")
        app.js("document.querySelector('form[action$=\"/start/\"] button').click(); true")
        app.wait_for("loaded", url=f"{origin}/routines/")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            routines = json.loads(app.js(ROUTINE_STATUS))["routines"]
            if routines and routines[0]["status"] == "succeeded":
                break
            time.sleep(0.2)
        self.assertEqual([routine["status"] for routine in routines], ["succeeded"])
        time.sleep(1.5)  # the page polls every second and shows the result itself
        app.ask(screenshot=str(SCREENSHOTS / "routine-done.png"))

        # Closing the window stops the server and worker threads: the process exits, the port frees.
        app.ask(close=True)
        stopped = app.wait_for("stopped")
        self.assertEqual((stopped["server_stopped"], stopped["worker_stopped"]), (True, True))
        self.assertEqual(app.process.wait(timeout=15), 0)
        self.assertFalse(listening(port))

    def test_a_database_that_is_not_sqlite_shows_the_failure_in_the_window(self):
        self.app_data.mkdir(parents=True)
        (self.app_data / "app.sqlite3").write_text("this is not a database" * 100)
        app = self.launch()
        self.assertIn("file is not a database", app.wait_for("failed")["summary"])
        deadline = time.monotonic() + 15
        while (
            "could not start" not in (shown := app.js("document.body.innerText"))
            and time.monotonic() < deadline
        ):
            time.sleep(0.1)
        self.assertIn("Flying Stable could not start", shown)
        self.assertIn("django.db.utils.DatabaseError: file is not a database", shown)
        app.ask(screenshot=str(SCREENSHOTS / "failure.png"))
        app.ask(close=True)
        self.assertEqual(app.process.wait(timeout=15), 0)
