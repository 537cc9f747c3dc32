"""The WSGI server behind `desktop_serve`: waitress, bound the desktop way.

waitress is a production WSGI server in pure Python that runs the same on
Windows, macOS and Linux. It queues a burst of connections (a listen backlog
of 1024) instead of resetting them, and runs requests on a small thread pool.
We bind the socket ourselves, before waitress sees it, so that a taken port
fails at once and Windows never shares a port another program listens on.
waitress keeps no request log; `logged()` writes one line per request, like
runserver, with the bootstrap token redacted.
"""

import re
import socket
import sys
import time

from waitress import wasyncore
from waitress.server import create_server

TOKEN_IN_QUERY = re.compile(r"([?&]token=)[^&\s]*")
# Requests handled at once; more wait in the listen backlog, none are refused.
THREADS = 8


def redact_token(request_line: str) -> str:
    return TOKEN_IN_QUERY.sub(r"\1[redacted]", request_line)


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


def logged(application, stream=None):
    """Wrap a WSGI application to log `"GET /path HTTP/1.1" 200` lines, token redacted."""

    def logging_application(environ, start_response):
        def start_and_log(status, headers, exc_info=None):
            query = environ.get("QUERY_STRING")
            target = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
            line = f"{environ['REQUEST_METHOD']} {target} {environ.get('SERVER_PROTOCOL', '')}"
            when = time.strftime("%d/%b/%Y %H:%M:%S")
            print(
                f'[{when}] "{redact_token(line)}" {status.split()[0]}',
                file=stream or sys.stderr,
                flush=True,
            )
            return start_response(status, headers, exc_info)

        return application(environ, start_and_log)

    return logging_application


def make_server(host: str, port: int, application):
    """Bind host:port now (OSError if it is taken) and return the server; `.run()` serves."""
    return create_server(
        logged(application),
        sockets=[bind(host, port)],
        threads=THREADS,
        # Our own identity is nobody's business; waitress would send "Server: waitress".
        ident="",
    )


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
