"""The page `desktop_serve --reload` answers with while the project is broken (devloop.py).

A 500 page for every path and 503 with `{"status": "error"}` for /health/,
on the shell's port, guarded by the shell token like the real app. It is a
module of its own so that the reloader's first process, which only starts the
server's process, does not import an HTTP server it never uses.
"""

import html
import json
import os
import sys
import threading
from http.cookies import SimpleCookie
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from . import tokens
from .tokens import TOKEN_COOKIE, TOKEN_HEADER


def show_error(summary: str, details: str) -> None:
    """Answer on the shell's port with the error, from a thread of its own: this one must end."""
    host = os.environ.get("DESKTOP_DJANGO_HOST") or "127.0.0.1"
    port = os.environ.get("DESKTOP_DJANGO_PORT") or ""
    if host not in ("127.0.0.1", "localhost") or not port.isdigit():
        return
    app = error_page_app(summary, details, os.environ.get("DESKTOP_DJANGO_AUTH_TOKEN") or None)
    try:
        server = make_server(host, int(port), app, ErrorPageServer, QuietHandler)
    except OSError as error:
        from .serving import EXIT_PORT_IN_USE, PORT_UNAVAILABLE

        if error.errno not in PORT_UNAVAILABLE:
            raise
        # As the real server does: the shell picks another port and starts again.
        print(f"desktop_serve: port {port} is already in use", file=sys.stderr, flush=True)
        os._exit(EXIT_PORT_IN_USE)
    threading.Thread(target=server.serve_forever, name="error-page", daemon=True).start()
    serving = {"url": f"http://{host}:{port}/", "pid": os.getpid(), "workers": [], "error": summary}
    print(f"DESKTOP_DJANGO_SERVING {json.dumps(serving)}", flush=True)


class ErrorPageServer(WSGIServer):
    # As in desktop_runtime.server: on Windows SO_REUSEADDR would let us bind a port in use.
    allow_reuse_address = sys.platform != "win32"


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def error_page_app(summary: str, details: str, token: str | None):
    page = ERROR_PAGE.format(summary=html.escape(summary), details=html.escape(details)).encode()
    health = json.dumps({"status": "error", "error": summary}).encode()

    def app(environ, start_response):
        if token and not carries_token(environ, token):
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"Forbidden"]
        if environ.get("PATH_INFO") == "/health/":
            start_response("503 Service Unavailable", [("Content-Type", "application/json")])
            return [health]
        start_response("500 Internal Server Error", [("Content-Type", "text/html; charset=utf-8")])
        return [page]

    return app


def carries_token(environ, token: str) -> bool:
    """The token check of DesktopTokenMiddleware, without Django: header or bootstrap cookie."""
    cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
    return tokens.carries_token(
        environ.get("HTTP_" + TOKEN_HEADER.upper().replace("-", "_")),
        cookie[TOKEN_COOKIE].value if TOKEN_COOKIE in cookie else None,
        token,
    )


ERROR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="2">
<title>Django could not start</title>
<style>body{{font:16px system-ui,sans-serif;margin:2rem;color:#222}}
pre{{background:#f6f2ea;padding:1rem;overflow:auto;font-size:13px}}</style>
</head><body>
<h1>Django could not start</h1>
<p><strong>{summary}</strong></p>
<p>Fix it and save the file: the server restarts by itself and this page comes back.</p>
<pre>{details}</pre>
</body></html>
"""
