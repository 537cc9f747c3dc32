"""waitress as desktop_serve runs it, against other local programs: real backend, real sockets.

Any program on the machine can connect to the backend's port. Without the
token it gets 403 pages, but it must not be able to stall the app (idle
half-open connections) or fill the disk (a large body waitress would store
before Django refuses it), and nothing it sends may forge the request log.
"""

import os
import socket
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, closing, suppress
from pathlib import Path
from unittest import skipUnless

from django.test import SimpleTestCase

from desktop_runtime.server import CHANNEL_TIMEOUT, CLEANUP_INTERVAL

from .support import ManagedProcess, backend_environment, free_port, get_without_redirects

TOKEN = "server-limits-token-" + "s" * 40
SETTINGS = "desktop_runtime.tests.settings_runtime_only"
MB = 1024 * 1024


def open_files_under(pid: int, folder: str) -> int:
    """Bytes in the files process `pid` holds open in `folder` (deleted ones included); Linux."""
    total = 0
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
            if target.startswith(folder):
                total += os.stat(fd).st_size
        except OSError:
            continue  # closed in the meantime
    return total


class ServerLimitTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        temporary = tempfile.TemporaryDirectory(prefix="dds-server-")
        cls.addClassCleanup(temporary.cleanup)
        cls.root = Path(temporary.name)
        # waitress stores request bodies in the temporary folder: give it one of its own.
        cls.temp_dir = cls.root / "tmp"
        cls.temp_dir.mkdir()
        cls.port = free_port()
        environment = backend_environment(
            cls.root,
            SETTINGS,
            DESKTOP_DJANGO_PORT=cls.port,
            DESKTOP_DJANGO_AUTH_TOKEN=TOKEN,
            TMPDIR=cls.temp_dir,
            TEMP=cls.temp_dir,
            TMP=cls.temp_dir,
        )
        cls.backend = ManagedProcess(["desktop_serve"], environment, cls.root)
        cls.addClassCleanup(cls.backend.cleanup)
        cls.pid = cls.backend.wait_for_serving()["pid"]

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)

    def test_150_idle_half_open_connections_do_not_delay_health(self):
        with ExitStack() as stack:
            for _ in range(150):
                idle = stack.enter_context(closing(self.connect()))
                idle.sendall(b"GET /hea")
            time.sleep(0.5)  # let the server accept them all
            started = time.monotonic()
            status, _, _ = get_without_redirects(self.port, "/health/", TOKEN)
            elapsed = time.monotonic() - started
        self.assertEqual(status, 200)
        self.assertLess(elapsed, 1, f"/health/ took {elapsed:.2f} s behind 150 idle sockets")

    def test_an_idle_half_open_connection_is_closed_soon(self):
        with closing(self.connect()) as idle:
            idle.sendall(b"GET /hea")
            started = time.monotonic()
            idle.settimeout(CHANNEL_TIMEOUT + CLEANUP_INTERVAL + 5)
            with suppress(ConnectionResetError):  # closed too, the hard way
                self.assertEqual(idle.recv(1024), b"")
        self.assertLess(time.monotonic() - started, CHANNEL_TIMEOUT + CLEANUP_INTERVAL + 2)

    @skipUnless(sys.platform.startswith("linux"), "measures the server's open files in /proc")
    def test_a_50_mb_body_without_the_token_is_refused_unread(self):
        body_size = 50 * MB
        for framing in ("content-length", "chunked"):
            with self.subTest(framing=framing), closing(self.connect()) as client:
                length = (
                    f"Content-Length: {body_size}"
                    if framing == "content-length"
                    else "Transfer-Encoding: chunked"
                )
                client.sendall(
                    f"POST /upload/ HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n{length}\r\n"
                    "Content-Type: application/octet-stream\r\n\r\n".encode()
                )
                sent = threading.Event()

                def send_body(client=client, framing=framing, sent=sent):
                    piece = b"x" * MB
                    if framing == "chunked":
                        piece = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
                    with suppress(OSError):  # the server closed the connection: refused
                        for _ in range(body_size // MB):
                            client.sendall(piece)
                    sent.set()

                threading.Thread(target=send_body, daemon=True).start()
                largest = 0
                while not sent.wait(0.01):
                    largest = max(largest, open_files_under(self.pid, str(self.temp_dir)))
                answer = b""
                with suppress(OSError):  # reset after the answer
                    while chunk := client.recv(65536):
                        answer += chunk
                self.assertTrue(answer.startswith(b"HTTP/1.1 403 "), answer[:200])
                self.assertIn(b"Connection: close", answer)
                self.assertLess(largest, 4 * MB, "the refused body was stored")

    def test_the_log_shows_the_request_line_as_sent_with_the_token_redacted(self):
        # A newline and a whole log line, percent-encoded in the path.
        forged = "%0a[01/Jan/2026%2000:00:00]%20%22GET%20/forged/%20HTTP/1.1%22%20200"
        secret = "bootstrap-secret-in-the-query"
        with closing(self.connect()) as client:
            client.sendall(
                f"GET /nope/{forged}?%74oken={secret}&next=/ HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{self.port}\r\nX-Desktop-Django-Token: {TOKEN}\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            while client.recv(65536):
                pass
        log = self.backend.stderr()
        self.assertNotIn(secret, log)
        self.assertIn(f'"GET /nope/{forged}?%74oken=[redacted]&next=/ HTTP/1.1" 404', log)
        self.assertFalse(
            any(line.startswith("[01/Jan/2026") for line in log.splitlines()),
            "a request forged a log line",
        )
