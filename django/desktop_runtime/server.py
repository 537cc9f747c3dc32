"""The WSGI server behind `desktop_serve`: waitress, bound the desktop way.

waitress is a production WSGI server in pure Python that runs the same on
Windows, macOS and Linux. It queues a burst of connections (a listen backlog
of 1024) instead of resetting them, and runs requests on a small thread pool.
We bind the socket ourselves, before waitress sees it, so that a taken port
fails at once and Windows never shares a port another program listens on.

Its limits are set here, once, for every caller (desktop_serve, and a shell
that runs Django in its own process): a desktop app has one user, and any
other local program may connect. Two things waitress does not do by itself:

- A request without the session token gets its body dropped unread, as soon
  as its headers are in, and the connection closes after Django's 403. waitress
  would otherwise store the whole body (in a temporary file past 512 KB) before
  Django sees the request.
- waitress keeps no request log; `logged()` writes one line per request, like
  runserver: the request line as it arrived, escaped, with the bootstrap
  token redacted.
"""

import contextlib
import os
import socket
import sys
import time
from urllib.parse import unquote_plus

from django.conf import settings
from django.http.cookie import parse_cookie
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import create_server

from .tokens import TOKEN_COOKIE, TOKEN_HEADER, carries_token, expected_token

# region limits
# Requests handled at once; more wait in the listen backlog, none are refused.
THREADS = 8
# Open connections at once. A browser opens 6 per origin; 400 leaves room for
# hundreds of idle sockets another program holds open, and stays below the 512
# sockets select() can watch on Windows.
CONNECTION_LIMIT = 400
# A connection that sends nothing for this long (between requests, or in the
# middle of one) is closed; waitress looks every CLEANUP_INTERVAL seconds.
CHANNEL_TIMEOUT = 5
CLEANUP_INTERVAL = 1
# Largest request body, in bytes, for requests that carry the token (the
# others never get their body read). Django itself refuses form data above
# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) but sets no limit on uploaded files, so
# this is the largest upload the app takes: raise it with the setting
# DESKTOP_MAX_REQUEST_BODY_SIZE if the project takes larger files.
DEFAULT_MAX_REQUEST_BODY_SIZE = 100 * 1024 * 1024
# endregion limits


def max_request_body_size() -> int:
    """DESKTOP_MAX_REQUEST_BODY_SIZE, and never below what Django accepts as form data.

    Before any settings are known (an in-process shell binds its port before it
    loads Django, then sets this again on the server), the default.
    """
    if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
        return DEFAULT_MAX_REQUEST_BODY_SIZE
    configured = getattr(settings, "DESKTOP_MAX_REQUEST_BODY_SIZE", DEFAULT_MAX_REQUEST_BODY_SIZE)
    form_data = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return max(configured, form_data + 64 * 1024)


def server_limits() -> dict:
    """The waitress adjustments every desktop server runs with."""
    return {
        "threads": THREADS,
        "connection_limit": CONNECTION_LIMIT,
        "channel_timeout": CHANNEL_TIMEOUT,
        "cleanup_interval": CLEANUP_INTERVAL,
        "max_request_body_size": max_request_body_size(),
        # Our own identity is nobody's business; waitress would send "Server: waitress".
        "ident": "",
    }


class TokenGatedParser(HTTPRequestParser):
    """waitress's request parser, which leaves the body of a tokenless request unread.

    Once the headers are in, a request with a body but without the token (in
    its header or its cookie) is finished there, as if it had no body, and
    marked to close its connection: Django answers it 403, and the body is
    never stored anywhere.
    """

    body_refused = False

    def parse_header(self, header_plus):
        super().parse_header(header_plus)
        token = expected_token()
        if token is None or self.body_rcv is None:
            return
        cookies = parse_cookie(self.headers.get("COOKIE", ""))
        header = self.headers.get(TOKEN_HEADER.upper().replace("-", "_"))
        if carries_token(header, cookies.get(TOKEN_COOKIE), token):
            return
        self.body_rcv = None
        self.content_length = 0
        self.chunked = self.expect_continue = False
        self.headers.pop("CONTENT_LENGTH", None)
        self.headers["CONNECTION"] = "close"
        self.connection_close = self.body_refused = True

    def received(self, data):
        consumed = super().received(data)
        # What follows the headers is the refused body, not a next request.
        return len(data) if self.body_refused else consumed


class TokenGatedChannel(HTTPChannel):
    parser_class = TokenGatedParser


def redact_request_line(method: str, target: str, protocol: str) -> str:
    """The request line for the log: the token in the query redacted, every unprintable
    character escaped.

    `target` is the raw request target, as it arrived. A query parameter is
    redacted when its name reads "token" once decoded (`?%74oken=`), or when
    its decoded value holds the session's token.
    """
    path, question, query = target.partition("?")
    token = expected_token()
    pairs = []
    for pair in query.split("&") if question else []:
        name, equals, value = pair.partition("=")
        decoded_value = unquote_plus(value, encoding="latin-1")
        if unquote_plus(name, encoding="latin-1") == "token" or (token and token in decoded_value):
            value = "[redacted]"
        pairs.append(f"{name}{equals}{value}")
    line = f"{method} {path}{question}{'&'.join(pairs)} {protocol}"
    return "".join(
        char if " " <= char <= "~" and char not in '"\\' else f"\\x{ord(char):02x}" for char in line
    )


def logged(application, stream=None):
    """Wrap a WSGI application to log `"GET /path HTTP/1.1" 200` lines, token redacted."""

    def logging_application(environ, start_response):
        def start_and_log(status, headers, exc_info=None):
            target = environ.get("REQUEST_URI")
            if target is None:  # a server other than waitress: rebuild it from the decoded parts
                query = environ.get("QUERY_STRING")
                target = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
            line = redact_request_line(
                environ["REQUEST_METHOD"], target, environ.get("SERVER_PROTOCOL", "")
            )
            when = time.strftime("%d/%b/%Y %H:%M:%S")
            print(f'[{when}] "{line}" {status.split()[0]}', file=stream or sys.stderr, flush=True)
            return start_response(status, headers, exc_info)

        return application(environ, start_and_log)

    return logging_application


def bind(host: str, port: int) -> socket.socket:
    """Bind host:port now; OSError if it is taken."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if sys.platform == "win32":
        # Without it Windows lets another socket bind the same port over ours.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
    else:
        # POSIX: only skips TIME_WAIT after a restart on the same port.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def allow_enough_open_files() -> None:
    """Raise the soft limit on open files to fit CONNECTION_LIMIT, where it is lower.

    macOS starts apps with a soft limit of 256: without this, idle sockets
    another program holds open would use up the files the app needs.
    """
    try:
        import resource
    except ImportError:  # Windows: no such per-process limit
        return
    wanted = CONNECTION_LIMIT + 200
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        # If the system refuses, the lower limit stays; the server still runs.
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def make_server(host: str, port: int, application):
    """Bind host:port now (OSError if it is taken) and return the server; `.run()` serves."""
    allow_enough_open_files()
    server = create_server(logged(application), sockets=[bind(host, port)], **server_limits())
    # waitress makes one channel per connection with the server's channel_class.
    server.channel_class = TokenGatedChannel
    return server


def stop_serving(server) -> None:
    """Make `server.run()`, serving on another thread, return: for shells that serve in-process.

    A desktop_serve process simply exits; a shell that runs the server in a
    thread of its own process (Positron) must end the loop instead. The
    listening socket and every open connection are closed by the serving
    loop itself, through waitress's trigger, so no socket is closed under a
    running select(); `run()` then returns, and the caller joins the request
    threads with `server.task_dispatcher.shutdown()`.
    """
    server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
