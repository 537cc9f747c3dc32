"""The error page `desktop_serve --reload` shows while the project is broken.

The whole loop (break a model, see the error, fix it, Django is back) runs
against the real process in the shells' devReload tests.
"""

import os
import subprocess
import sys
from unittest import mock
from wsgiref.util import setup_testing_defaults

from django.conf import settings
from django.test import SimpleTestCase

from desktop_runtime.devloop import apply_default_options, wants_reloader
from desktop_runtime.errorpage import error_page_app

TOKEN = "t" * 43

# manage.py's path for `desktop_serve --reload` in the reloader's first process,
# up to the moment it would start the child: then it prints the modules loaded.
REPORT_MODULES_AT_RESTART = """
import sys
from django.utils import autoreload

def report():
    print(" ".join(sorted(sys.modules)))
    return 0

autoreload.restart_with_reloader = report
from desktop_runtime.devloop import execute_from_command_line
execute_from_command_line(["manage.py", "desktop_serve", "--reload"])
"""


def call(app, path="/", **headers):
    environ = {"PATH_INFO": path, **headers}
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, response_headers):
        answer["status"] = int(status.split()[0])

    body = b"".join(app(environ, start_response)).decode()
    return answer["status"], body


class ErrorPageTests(SimpleTestCase):
    app = staticmethod(error_page_app("NameError: name 'x' is not defined", "Traceback <x>", TOKEN))

    def test_without_the_token_nothing_is_shown(self):
        self.assertEqual(call(self.app), (403, "Forbidden"))
        self.assertEqual(call(self.app, HTTP_X_DESKTOP_DJANGO_TOKEN="wrong")[0], 403)

    def test_with_the_header_or_the_bootstrap_cookie_every_page_shows_the_error(self):
        status, body = call(self.app, "/ponies/", HTTP_X_DESKTOP_DJANGO_TOKEN=TOKEN)
        self.assertEqual(status, 500)
        self.assertIn("NameError: name &#x27;x&#x27; is not defined", body)
        self.assertIn("Traceback &lt;x&gt;", body, "the traceback is escaped")
        status, _ = call(self.app, HTTP_COOKIE=f"other=1; desktop_django_token={TOKEN}")
        self.assertEqual(status, 500)

    def test_health_says_it_is_not_healthy(self):
        status, body = call(self.app, "/health/", HTTP_X_DESKTOP_DJANGO_TOKEN=TOKEN)
        self.assertEqual(status, 503)
        self.assertIn('"status": "error"', body)

    def test_without_a_session_token_no_token_is_asked_for(self):
        app = error_page_app("boom", "", None)
        self.assertEqual(call(app)[0], 500)


class CommandLineTests(SimpleTestCase):
    def test_only_desktop_serve_with_reload_goes_through_the_dev_loop(self):
        self.assertTrue(wants_reloader(["manage.py", "desktop_serve", "--reload"]))
        self.assertFalse(wants_reloader(["manage.py", "desktop_serve"]))
        self.assertFalse(wants_reloader(["manage.py", "migrate", "--reload"]))

    def test_the_reloaders_first_process_imports_only_what_starting_its_child_needs(self):
        # It only starts the serving child and waits, and the child cannot start before it
        # does: Django's command line and the error page's HTTP server would delay both.
        process = subprocess.run(
            [sys.executable, "-c", REPORT_MODULES_AT_RESTART],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE},
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertEqual(process.returncode, 0, process.stderr)
        loaded = process.stdout.split()
        self.assertIn("django.utils.autoreload", loaded)
        heavy = ("django.core.management.base", "django.db", "wsgiref.simple_server")
        self.assertEqual([module for module in heavy if module in loaded], [])

    def test_settings_and_pythonpath_apply_as_on_django_command_line(self):
        with mock.patch.dict(os.environ), mock.patch.object(sys, "path", list(sys.path)):
            apply_default_options(["--reload", "--settings=probe.settings", "--pythonpath=/probe"])
            self.assertEqual(os.environ["DJANGO_SETTINGS_MODULE"], "probe.settings")
            self.assertEqual(sys.path[0], "/probe")
