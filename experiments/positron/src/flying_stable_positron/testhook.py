"""Test-only: the end-to-end test asks the real window things. Off unless DDS_POSITRON_TEST_HOOK=1.

The test writes one JSON command per line on the app's stdin and reads
`POSITRON_TEST {...}` lines on its stdout: the app's events (serving,
loaded, opened, failed, stopped) and the answers to its commands:

    {"id": 1, "js": "document.title"}        the web view's own JavaScript, its result
    {"id": 2, "menu": "Open App Data Folder"} activate the menu item's GTK action
    {"id": 3, "screenshot": "/tmp/x.png"}    save the window as an image
    {"id": 4, "click": [40, 120]}            a mouse click at that point of the window (X11)
    {"id": 5, "close": true}                 close the window, as its close button does

Nothing here is reachable from a page, and none of it exists without the variable.
"""

import asyncio
import json
import os
import sys
import threading

PREFIX = "POSITRON_TEST"


def from_environment(app):
    return TestHook(app) if os.environ.get("DDS_POSITRON_TEST_HOOK") == "1" else None


class TestHook:
    def __init__(self, app):
        self.app = app
        self.out = sys.__stdout__
        self.lock = threading.Lock()
        threading.Thread(target=self.read_commands, name="positron-test-hook", daemon=True).start()

    def emit(self, event: str, **details) -> None:
        with self.lock:
            self.out.write(f"{PREFIX} {json.dumps({'event': event, **details})}\n")
            self.out.flush()

    def read_commands(self) -> None:
        for line in sys.__stdin__:
            command = json.loads(line)
            asyncio.run_coroutine_threadsafe(self.answer(command), self.app.loop)

    async def answer(self, command: dict) -> None:
        try:
            result = await self.run(command)
            self.emit("answer", id=command["id"], result=result)
        except Exception as error:  # the test shows it; the app goes on
            self.emit("answer", id=command["id"], error=f"{type(error).__name__}: {error}")

    async def run(self, command: dict):
        if "js" in command:
            return await self.app.webview.evaluate_javascript(command["js"])
        if "menu" in command:
            return self.activate_menu_item(command["menu"])
        if "screenshot" in command:
            return self.screenshot(command["screenshot"])
        if "click" in command:
            return self.click(*command["click"])
        if "close" in command:
            # The window manager's close request: GTK emits delete-event, Toga asks on_exit.
            self.app.main_window._impl.native.close()
            return True
        raise ValueError(f"unknown command {command}")

    def screenshot(self, path: str) -> str:
        """The window's pixels as the X server shows them (GTK).

        Toga's `Window.as_image()` redraws GTK's widgets, and WebKitGTK's page,
        drawn by its own web process, comes out stale there.
        """
        from gi.repository import Gdk

        native = self.app.main_window._impl.native.get_window()
        pixbuf = Gdk.pixbuf_get_from_window(native, 0, 0, native.get_width(), native.get_height())
        pixbuf.savev(path, "png", [], [])
        return path

    def click(self, x: int, y: int) -> bool:
        """A real click through the X server (XTest): the page sees a user gesture."""
        import ctypes

        x11 = ctypes.cdll.LoadLibrary("libX11.so.6")
        xtest = ctypes.cdll.LoadLibrary("libXtst.so.6")
        x11.XOpenDisplay.restype = ctypes.c_void_p
        xtest.XTestFakeMotionEvent.argtypes = [
            ctypes.c_void_p,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_int,
            ctypes.c_ulong,
        ]
        xtest.XTestFakeButtonEvent.argtypes = [
            ctypes.c_void_p,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_ulong,
        ]
        x11.XFlush.argtypes = x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
        _, left, top = self.app.main_window._impl.native.get_window().get_origin()
        display = x11.XOpenDisplay(None)
        xtest.XTestFakeMotionEvent(display, -1, left + x, top + y, 0)
        xtest.XTestFakeButtonEvent(display, 1, 1, 0)
        xtest.XTestFakeButtonEvent(display, 1, 0, 0)
        x11.XFlush(display)
        x11.XCloseDisplay(display)
        return True

    def activate_menu_item(self, text: str) -> bool:
        """Fire the Gio action behind the menu item labelled `text`, as a click on it does (GTK)."""
        for action, command in self.app._impl._menu_items.items():
            if command.text == text:
                action.activate(None)
                return True
        raise LookupError(f"no menu item {text!r}")
