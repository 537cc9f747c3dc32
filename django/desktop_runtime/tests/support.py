"""Helpers shared by the test suites: settings without a shell, real backend processes."""

import http.client
import json
import os
import queue
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import closing
from pathlib import Path
from unittest import skipUnless

import django
from django.apps import apps
from django.conf import settings
from django.test import override_settings

MANAGE_PY = Path(settings.BASE_DIR) / "manage.py"
SERVING_PREFIX = "DESKTOP_DJANGO_SERVING "

# The settings this test run uses: the starter's development settings, or
# settings_runtime_only (desktop_runtime alone, as on Django 5.2). Backends
# the tests start use the same ones unless a test names others.
TEST_SETTINGS = settings.SETTINGS_MODULE

# For tests of the starter's own project: its demo apps and its settings.
needs_demo = skipUnless(
    apps.is_installed("example_app"),
    "uses the starter's demo project (example_app, routines, its settings); "
    "this run's project is desktop_runtime alone",
)
# For what only Django 6's built-in CSP support can do.
needs_django_csp = skipUnless(
    django.VERSION >= (6, 0),
    "Django sends CSP headers itself from 6.0 on (django.middleware.csp, csp_override); "
    "before it the splash page's meta tag is its only policy",
)

# Most tests run as if no shell had set a port or token (like the first
# tutorial chapters), whatever the environment of the test run holds.
without_shell = override_settings(DESKTOP_DJANGO_PORT=None, DESKTOP_DJANGO_AUTH_TOKEN=None)


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def backend_environment(app_data_dir, settings_module=TEST_SETTINGS, **extra):
    """A clean environment for a backend process: no DESKTOP_* or Django
    variables leak in from the test run."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DESKTOP_", "DJANGO_"))
    }
    env["DJANGO_SETTINGS_MODULE"] = settings_module
    env["DESKTOP_DJANGO_APP_DATA_DIR"] = str(app_data_dir)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update({key: str(value) for key, value in extra.items()})
    return env


class ManagedProcess:
    """A manage.py command started the way a shell starts it: stdin a pipe,
    stdout read line by line, stderr kept in a file for assertions."""

    def __init__(self, args, env, cwd):
        self.stderr_path = Path(cwd) / f"stderr-{time.monotonic_ns()}.log"
        self._stderr_file = self.stderr_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, str(MANAGE_PY), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr_file,
            env=env,
            cwd=cwd,
        )
        self.lines = queue.Queue()
        self.output = []
        threading.Thread(target=self._read_stdout, daemon=True).start()

    def _read_stdout(self):
        for raw in self.process.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.output.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def wait_for_line(self, prefix: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                raise AssertionError(f"process ended before {prefix!r}.\n{self.stderr()}")
            if line.startswith(prefix):
                return line
        raise AssertionError(f"no {prefix!r} line within {timeout} s.\n{self.stderr()}")

    def wait_for_serving(self, timeout: float = 20) -> dict:
        return json.loads(self.wait_for_line(SERVING_PREFIX, timeout)[len(SERVING_PREFIX) :])

    def close_stdin(self):
        if not self.process.stdin.closed:
            self.process.stdin.close()

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def stderr(self) -> str:
        self._stderr_file.flush()
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def cleanup(self):
        """Make sure nothing outlives the test, whatever it asserted."""
        self.close_stdin()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        self.process.stdout.close()
        self._stderr_file.close()


def start_command(testcase, args, env, cwd) -> ManagedProcess:
    managed = ManagedProcess(args, env, cwd)
    testcase.addCleanup(managed.cleanup)
    return managed


def http_get(url: str, token: str | None = None, timeout: float = 5):
    """GET url; return (status, body, headers) for every status, 4xx included."""
    request = urllib.request.Request(url)
    if token:
        request.add_header("X-Desktop-Django-Token", token)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


def get_without_redirects(port: int, path: str, token: str | None = None, method: str = "GET"):
    """One request (a GET unless `method` says otherwise) to a backend, redirects not
    followed: (status, headers as a list of pairs, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Host": f"127.0.0.1:{port}"}
        if token:
            headers["X-Desktop-Django-Token"] = token
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read().decode()
    finally:
        connection.close()


def header_values(headers, name: str) -> list[str]:
    """Every value of one header (case-insensitive) in get_without_redirects' list."""
    return [value for key, value in headers if key.lower() == name.lower()]


def query_database(path, sql: str, params=()):
    with closing(sqlite3.connect(path, timeout=20)) as connection:
        return connection.execute(sql, params).fetchall()


def change_database(path, sql: str, params=()):
    with closing(sqlite3.connect(path, timeout=20)) as connection, connection:
        connection.execute(sql, params)


def process_is_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
