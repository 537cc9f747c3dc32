"""Flying Stable in a Toga window, with Django in this process: the app's lifecycle top to bottom.

startup     the window opens at once on a local "starting" page, guarded
on_running  Django starts on a background thread; once /health/ answers, the
            worker thread starts and the window goes to the bootstrap URL,
            which trades the token for a cookie and redirects to "/";
            a failure is shown in the window with the log's last lines
on_exit     the worker and the server stop; nothing is left listening
"""

import asyncio
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import toga
from toga.style import Pack

from . import guards, testhook
from .backend import Backend, StartFailed, find_layout
from .logs import capture_output, last_lines
from .pages import failure_page, starting_page
from .worker import RoutinesWorker, wants_routines_worker

FORMAL_NAME = "Flying Stable (Positron)"
APP_ID = "org.desktop_django_starter.flying_stable_positron"
OPEN_APP_DATA_FOLDER = "Open App Data Folder"
HEALTH_DEADLINE_SECONDS = 30


class FlyingStable(toga.App):
    def startup(self):
        self.app_data_dir = Path(self.paths.data)
        self.log_path = capture_output(self.app_data_dir / "logs" / "positron.log")
        self.backend = Backend(self.app_data_dir, find_layout())
        self.worker = None
        # "serving" or "failed" once on_running is done: tests wait for it.
        self.outcome = None
        self.hook = testhook.from_environment(self)

        self.webview = toga.WebView(style=Pack(flex=1), on_webview_load=self.on_page_loaded)
        if guards.install(self.webview, self.django_origin, on_refused=self.on_refused) == "none":
            print("positron: this Toga cannot refuse navigation: no guard in front of the web view")
        self.webview.set_content(None, starting_page())

        # Toga's web view has no narrow bridge for a page to call: the desktop action is a menu.
        self.commands.add(
            toga.Command(
                self.open_app_data_folder,
                text=OPEN_APP_DATA_FOLDER,
                group=toga.Group.FILE,
                shortcut=toga.Key.MOD_1 + toga.Key.SHIFT + "d",
            )
        )
        self.main_window = toga.MainWindow(title=FORMAL_NAME, size=(1100, 760))
        self.main_window.content = self.webview
        self.main_window.show()

    async def on_running(self):
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, self.backend.start)
            await loop.run_in_executor(None, wait_for_health, self.backend)
        except StartFailed as error:
            self.show_failure(str(error))
            self.outcome = "failed"
            return
        if wants_routines_worker():
            self.worker = RoutinesWorker(
                say=lambda line: print(f"run_routines: {line}", flush=True)
            )
            self.worker.start()
        self.emit("serving", origin=self.backend.origin)
        self.webview.url = self.backend.bootstrap_url()
        self.outcome = "serving"

    def on_exit(self):
        worker_stopped = self.worker.stop() if self.worker else True
        server_stopped = self.backend.stop()
        print(f"positron: stopped (server {server_stopped}, worker {worker_stopped})", flush=True)
        self.emit("stopped", server_stopped=server_stopped, worker_stopped=worker_stopped)
        return True

    def django_origin(self) -> str | None:
        return self.backend.origin if self.backend.port else None

    def show_failure(self, summary: str) -> None:
        print(f"positron: Django could not start: {summary}", file=sys.stderr, flush=True)
        self.webview.set_content(
            None, failure_page(summary, str(self.log_path), last_lines(self.log_path, 12))
        )
        self.emit("failed", summary=summary)

    def open_app_data_folder(self, command=None, **kwargs) -> None:
        open_folder(self.app_data_dir)
        self.emit("opened", path=str(self.app_data_dir))

    def on_page_loaded(self, widget, **kwargs) -> None:
        self.emit("loaded", url=widget.url)

    def on_refused(self, url: str, verdict: str) -> None:
        print(f"positron: navigation to {url} refused ({verdict})", flush=True)
        self.emit("refused", url=url, verdict=verdict)

    def emit(self, event: str, **details) -> None:
        if self.hook:
            self.hook.emit(event, **details)


def wait_for_health(backend: Backend) -> None:
    """Poll /health/ with the token header until it answers 200; StartFailed at the deadline."""
    import time

    request = urllib.request.Request(
        f"{backend.origin}/health/", headers={"X-Desktop-Django-Token": backend.token}
    )
    deadline = time.monotonic() + HEALTH_DEADLINE_SECONDS
    while True:
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200 and json.load(response).get("status") == "ok":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise StartFailed(f"/health/ did not answer within {HEALTH_DEADLINE_SECONDS} s")
        time.sleep(0.05)


def open_folder(path: Path) -> None:
    """Show `path` in the system's file manager."""
    if sys.platform == "win32":
        os.startfile(path)
    elif sys.platform == "darwin":
        subprocess.Popen(["open", str(path)])
    else:
        subprocess.Popen(["xdg-open", str(path)])


def main() -> FlyingStable:
    return FlyingStable(formal_name=FORMAL_NAME, app_id=APP_ID, app_name="flying_stable_positron")
