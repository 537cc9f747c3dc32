"""Small pieces of the runtime checked in-process: lifetime, log redaction, worker list."""

import io
import os
import tempfile
from unittest import mock

from django.test import SimpleTestCase, modify_settings, override_settings

from desktop_runtime.database import worker_commands
from desktop_runtime.lifetime import exit_when_stdin_closes
from desktop_runtime.server import (
    DEFAULT_MAX_REQUEST_BODY_SIZE,
    max_request_body_size,
    redact_request_line,
    server_limits,
)
from desktop_runtime.views import is_same_origin_path

from .support import needs_demo


class StdinWatcherTests(SimpleTestCase):
    """The watcher only runs when a shell holds the other end of a pipe."""

    def test_no_stdin_means_no_watcher(self):
        with mock.patch("sys.stdin", None):
            self.assertFalse(exit_when_stdin_closes())

    def test_a_closed_stdin_means_no_watcher(self):
        closed = io.StringIO()
        closed.close()
        with mock.patch("sys.stdin", closed):
            self.assertFalse(exit_when_stdin_closes())

    def test_stdin_without_a_file_descriptor_means_no_watcher(self):
        with mock.patch("sys.stdin", io.StringIO("")):
            self.assertFalse(exit_when_stdin_closes())

    def test_a_regular_file_or_dev_null_means_no_watcher(self):
        with tempfile.TemporaryDirectory() as folder:
            regular = os.path.join(folder, "input.txt")
            open(regular, "w").close()
            for path in (os.devnull, regular):
                with self.subTest(path=path), open(path) as stream, mock.patch("sys.stdin", stream):
                    self.assertFalse(exit_when_stdin_closes())

    def test_a_pipe_starts_the_watcher(self):
        read_end, write_end = os.pipe()
        self.addCleanup(os.close, write_end)
        with (
            open(read_end) as stream,
            mock.patch("sys.stdin", stream),
            mock.patch("desktop_runtime.lifetime.threading.Thread") as thread,
        ):
            self.assertTrue(exit_when_stdin_closes())
        thread.return_value.start.assert_called_once_with()
        self.assertTrue(thread.call_args.kwargs["daemon"])


class RequestLogTests(SimpleTestCase):
    def test_the_bootstrap_token_never_reaches_the_log(self):
        self.assertEqual(
            redact_request_line("GET", "/desktop-auth/bootstrap/?token=s3cret&next=/", "HTTP/1.1"),
            "GET /desktop-auth/bootstrap/?token=[redacted]&next=/ HTTP/1.1",
        )
        self.assertEqual(
            redact_request_line("GET", "/x/?next=/&token=abc", "HTTP/1.1"),
            "GET /x/?next=/&token=[redacted] HTTP/1.1",
        )
        self.assertEqual(
            redact_request_line("GET", "/health/", "HTTP/1.1"), "GET /health/ HTTP/1.1"
        )

    def test_a_token_parameter_is_redacted_however_its_name_is_encoded(self):
        for name in ("token", "%74oken", "tok%65n", "%74%6F%6B%65%6E"):
            with self.subTest(name=name):
                self.assertEqual(
                    redact_request_line("GET", f"/b/?{name}=s3cret", "HTTP/1.1"),
                    f"GET /b/?{name}=[redacted] HTTP/1.1",
                )

    @override_settings(DESKTOP_DJANGO_AUTH_TOKEN="the-session-token")
    def test_the_session_token_is_redacted_wherever_a_parameter_carries_it(self):
        self.assertEqual(
            redact_request_line("GET", "/b/?next=/x%3Ftoken%3Dthe-session-%74oken", "HTTP/1.1"),
            "GET /b/?next=[redacted] HTTP/1.1",
        )

    def test_the_raw_line_is_logged_with_every_unprintable_character_escaped(self):
        self.assertEqual(
            redact_request_line("GET", '/a%0a\n"\\\xff\x1b', "HTTP/1.1"),
            "GET /a%0a\\x0a\\x22\\x5c\\xff\\x1b HTTP/1.1",
        )


class ServerLimitsTests(SimpleTestCase):
    def test_the_body_limit_is_the_desktop_default_or_what_django_takes_as_form_data(self):
        self.assertEqual(max_request_body_size(), DEFAULT_MAX_REQUEST_BODY_SIZE)
        with override_settings(DESKTOP_MAX_REQUEST_BODY_SIZE=5 * 1024**3):
            self.assertEqual(max_request_body_size(), 5 * 1024**3)
        with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=300 * 1024**2):
            self.assertGreater(max_request_body_size(), 300 * 1024**2)
        self.assertEqual(server_limits()["max_request_body_size"], max_request_body_size())


@needs_demo
class WorkerCommandTests(SimpleTestCase):
    def test_the_routines_app_declares_its_worker(self):
        self.assertEqual(worker_commands(), ["run_routines"])

    @modify_settings(INSTALLED_APPS={"remove": ["routines"]})
    def test_without_the_routines_app_there_is_no_worker(self):
        self.assertEqual(worker_commands(), [])


class SameOriginPathTests(SimpleTestCase):
    def test_relative_paths_pass(self):
        for value in ("/", "/ponies/3/", "/routines/?page=2#top", "/a//b"):
            with self.subTest(value=value):
                self.assertTrue(is_same_origin_path(value))

    def test_anything_a_browser_could_read_as_another_origin_fails(self):
        for value in ("", "//x", "/\\x", "/a\\b", "http://x/", "x:/y", "/\x00", "/\x7f", " /x"):
            with self.subTest(value=value):
                self.assertFalse(is_same_origin_path(value))
