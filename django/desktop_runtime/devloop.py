"""`desktop_serve --reload` survives a typo, the way runserver does.

Django's command line runs django.setup() before any command, and a typo in
settings, a model or an app's setup would end the process there. runserver
alone is spared: Django starts its file watcher first and only then imports
the project, through autoreload.check_errors, which remembers the broken file
so that saving it restarts the server. manage.py sends `desktop_serve
--reload` here for the same treatment, and the URLconf is imported at start
so that its errors are caught the same way.

While the project is broken the port still answers, with the error: a 500
page for every path (503 for /health/), guarded by the shell token like the
real app. desktop_serve prints its SERVING line for it too (with "error"
set), so a shell's window reloads and shows the error; after the fix the
server restarts, prints SERVING again, and the window reloads into the app.
"""

import html
import json
import os
import sys
import threading
import traceback
from collections import defaultdict
from http.cookies import SimpleCookie
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.utils import autoreload

from . import tokens
from .lifetime import exit_when_stdin_closes
from .tokens import TOKEN_COOKIE, TOKEN_HEADER


def wants_reloader(argv: list[str]) -> bool:
    return argv[1:2] == ["desktop_serve"] and "--reload" in argv[2:]


# region reloader
def execute_from_command_line(argv: list[str]) -> None:
    """manage.py's entry point: Django's, but `desktop_serve --reload` starts the reloader first."""
    if wants_reloader(argv):
        apply_default_options(argv[2:])
        run_with_reloader()
    else:
        from django.core.management import execute_from_command_line

        execute_from_command_line(argv)


def apply_default_options(args: list[str]) -> None:
    """--settings and --pythonpath, which Django's command line applies before any command."""
    from django.core.management.base import CommandParser, handle_default_options

    parser = CommandParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--settings")
    parser.add_argument("--pythonpath")
    options, _ = parser.parse_known_args(args)
    handle_default_options(options)


def run_with_reloader() -> None:
    """The reloader parent restarts its child after each edit; the child serves."""
    if os.environ.get(autoreload.DJANGO_AUTORELOAD_ENV) == "true":
        # Before Django's setup, which may fail and leave only the file watcher running.
        exit_when_stdin_closes()
    autoreload.run_with_reloader(serve_or_show_error)


def serve_or_show_error() -> None:
    try:
        autoreload.check_errors(set_up_and_serve)()
    except Exception as error:
        traceback.print_exc()
        summary = " ".join(f"{type(error).__name__}: {error}".split())
        print(
            f"desktop_serve: Django could not start: {summary}\n"
            "desktop_serve: fix it and save the file; the server restarts by itself.",
            file=sys.stderr,
            flush=True,
        )
        forget_broken_apps()
        show_error(summary, traceback.format_exc())


def set_up_and_serve() -> None:
    import django
    from django.core.management.base import OutputWrapper
    from django.urls import get_resolver

    from .serving import DesktopServer

    django.setup()
    get_resolver().url_patterns  # noqa: B018 -- imports the URLconf now
    server = DesktopServer(OutputWrapper(sys.stdout), OutputWrapper(sys.stderr))
    server.serve(*server.address_or_exit())


# endregion reloader


def forget_broken_apps() -> None:
    """Leave empty, ready apps (and default settings if the project's are broken), as
    runserver does, so that the file watcher, which reads both, can run."""
    from django.apps import apps
    from django.conf import settings

    if not settings.configured:
        settings.configure()
    apps.all_models = defaultdict(dict)
    apps.app_configs = {}
    apps.apps_ready = apps.models_ready = apps.ready = True


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
