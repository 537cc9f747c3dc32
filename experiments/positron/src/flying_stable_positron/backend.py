"""Django in this process: the runtime contract's environment, the database, the server thread.

An Electron or Tauri shell starts `manage.py desktop_serve` as a child
process. Positron runs the same steps in its own process instead, with the
same functions: `desktop_runtime.database` migrates and seeds, and
`desktop_runtime.server.make_server` builds the waitress server (so its
limits and request log apply here too), which serves on a background thread.

The server is bound before Django loads, on port 0: the operating system
picks a free port, nothing can take it between choosing and binding, and the
port is then known for DESKTOP_DJANGO_PORT, which settings read at import.
"""

import os
import secrets
import sys
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
DEV_SETTINGS = "desktop_django_starter.settings.dev"
PACKAGED_SETTINGS = "desktop_django_starter.settings.packaged"
SERVER_THREAD = "positron-django-server"


class StartFailed(Exception):
    """Django could not start; the message says why in one line, the log holds the rest."""


@dataclass
class Layout:
    """Where the Django project is, and which settings module runs it."""

    django_dir: Path
    settings_module: str
    bundle_dir: Path | None = None


def find_layout() -> Layout:
    """The packaged app carries the project beside this package; a checkout has it in django/."""
    here = Path(__file__).resolve().parent
    beside = here.parent
    if (beside / "desktop_django_starter").is_dir():
        return Layout(beside, PACKAGED_SETTINGS, bundle_dir=beside)
    return Layout(here.parents[3] / "django", DEV_SETTINGS)


@dataclass
class Backend:
    """The running Django: its address, token, server and the thread serving it."""

    app_data_dir: Path
    layout: Layout
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    port: int | None = None
    server: object = None
    thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    def bootstrap_url(self, next_path: str = "/") -> str:
        return f"{self.origin}/desktop-auth/bootstrap/?token={self.token}&next={next_path}"

    def start(self) -> None:
        """Bind, set the environment, load Django, migrate, seed, serve (or StartFailed)."""
        self.use_project_path()
        from desktop_runtime.server import make_server

        self.app_data_dir.mkdir(parents=True, exist_ok=True)
        application = LateApplication()
        try:
            self.server = make_server(HOST, 0, application)
        except OSError as error:
            raise StartFailed(f"cannot listen on {HOST}: {error}") from error
        self.port = int(self.server.effective_port)
        self.set_contract_environment()
        try:
            application.django = load_django()
            # Bound before Django loaded: the body limit can read the project's settings only now.
            from desktop_runtime.server import max_request_body_size

            self.server.adj.max_request_body_size = max_request_body_size()
            prepare_database()
        except Exception as error:
            traceback.print_exc()
            self.close_without_serving()
            raise StartFailed(" ".join(f"{type(error).__name__}: {error}".split())) from error
        self.thread = threading.Thread(target=self.serve, name=SERVER_THREAD, daemon=True)
        self.thread.start()

    def set_contract_environment(self) -> None:
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": self.layout.settings_module,
                "DESKTOP_DJANGO_HOST": HOST,
                "DESKTOP_DJANGO_PORT": str(self.port),
                "DESKTOP_DJANGO_AUTH_TOKEN": self.token,
                "DESKTOP_DJANGO_APP_DATA_DIR": str(self.app_data_dir),
            }
        )
        if self.layout.bundle_dir:
            os.environ["DESKTOP_DJANGO_BUNDLE_DIR"] = str(self.layout.bundle_dir)

    def use_project_path(self) -> None:
        """The contract's working directory (the folder holding the project), and its imports."""
        os.chdir(self.layout.django_dir)
        if str(self.layout.django_dir) not in sys.path:
            sys.path.insert(0, str(self.layout.django_dir))

    def serve(self) -> None:
        self.server.run()
        # The loop ended (stop() closed its sockets): let running requests finish.
        self.server.task_dispatcher.shutdown()

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop serving and wait for the thread; True if it ended within `timeout`."""
        from desktop_runtime.server import stop_serving

        if self.thread is None:
            return True
        stop_serving(self.server)
        self.thread.join(timeout)
        return not self.thread.is_alive()

    def close_without_serving(self) -> None:
        if self.server is not None:
            self.server.close()


class LateApplication:
    """The WSGI application the server is built with before Django is loaded.

    The server binds first (to learn its port); requests are only read once
    `serve()` runs, after `django` is set.
    """

    django = None

    def __call__(self, environ, start_response):
        return self.django(environ, start_response)


def load_django():
    """django.setup() and the project's WSGI application, as desktop_serve gets it."""
    import django
    from django.core.servers.basehttp import get_internal_wsgi_application

    django.setup()
    return get_internal_wsgi_application()


def prepare_database() -> None:
    """Pending migrations and first-run seeding, with desktop_serve's own functions."""
    from django.db import connections

    from desktop_runtime.database import apply_pending_migrations, seed_if_never_seeded

    apply_pending_migrations()
    seed_if_never_seeded()
    # Request threads and the worker open their own connections.
    connections.close_all()
