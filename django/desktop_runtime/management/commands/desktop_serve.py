"""`manage.py desktop_serve`: migrate, seed once, bind and serve for a desktop shell.

The whole packaged start is this one process. It reads its address from
DESKTOP_DJANGO_HOST and DESKTOP_DJANGO_PORT, exits when its stdin closes (the
shell is gone), and tells the shell it is serving with one line on stdout
(wrapped here):

    DESKTOP_DJANGO_SERVING {"url": "http://127.0.0.1:8123/", "pid": 42,
                            "workers": [], "auto_login": false}

`workers` names the management commands installed apps want run beside the
server (AppConfig.desktop_worker_command), e.g. ["run_routines"]. `auto_login`
says whether requests with the token are logged in as the local user
(DesktopAutoLoginMiddleware): a shell that lets a browser in warns about it.

`--app-version X` (the shell's version): the first start of a new version backs
the SQLite database up before migrating it and puts the copy back if a
migration fails (desktop_runtime/upgrade.py).

Exit codes the shell acts on:
    0   stdin closed: the shell went away
    2   DESKTOP_DJANGO_PORT or DESKTOP_DJANGO_HOST missing or invalid
    10  the port is taken: pick another one and start again
    11  a migration failed: show the log, starting again will not help
    12  a newer version of the app migrated the database: this one must not serve it
    13  the SQLite file is damaged (PRAGMA quick_check): the message names it and
        the backups folder; nothing in it was changed
"""

from django.core.management.base import BaseCommand

from desktop_runtime import devloop
from desktop_runtime.lifetime import exit_when_stdin_closes
from desktop_runtime.serving import DesktopServer


class Command(BaseCommand):
    help = "Serve Django for a desktop shell on DESKTOP_DJANGO_HOST:DESKTOP_DJANGO_PORT."

    # Start fast: system checks belong in CI and `manage.py check`, not in
    # every launch of the app.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--reload",
            action="store_true",
            help="Restart the server when a Python file changes, like runserver (development).",
        )
        parser.add_argument(
            "--app-version",
            help="The app's version: one new to this database backs it up before migrating.",
        )

    def handle(self, *args, reload=False, app_version=None, **options):
        if reload:
            # manage.py sends `desktop_serve --reload` to devloop before Django's
            # setup; this is the way in for other callers (call_command).
            devloop.run_with_reloader()
            return
        server = DesktopServer(self.stdout, self.stderr, app_version)
        host, port = server.address_or_exit()
        exit_when_stdin_closes()
        server.serve(host, port)
