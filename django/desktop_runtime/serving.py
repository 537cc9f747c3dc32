"""What `manage.py desktop_serve` does once it has its options, for every way in.

The command (management/commands/desktop_serve.py) and the development
reloader (devloop.py, which serves in a thread of the reloader's child) both
start the server through DesktopServer, so neither imports the other. The
contract's names the shells read (the SERVING line's prefix, the exit codes)
are defined here.
"""

import errno
import json
import os
import sys
import threading
import traceback
from pathlib import Path

from django.conf import settings
from django.core.servers.basehttp import get_internal_wsgi_application
from django.db import connections

from desktop_runtime import upgrade
from desktop_runtime.database import (
    DatabaseCorrupt,
    DatabaseFromNewerVersion,
    apply_pending_migrations,
    check_database_integrity,
    seed_if_never_seeded,
    worker_commands,
)
from desktop_runtime.middleware import auto_login_enabled
from desktop_runtime.server import make_server
from desktop_runtime.startup import resume_gc

SERVING_PREFIX = "DESKTOP_DJANGO_SERVING"
EXIT_BAD_ADDRESS = 2
EXIT_PORT_IN_USE = 10
EXIT_MIGRATION_FAILED = 11
EXIT_DATABASE_NEWER = 12
EXIT_DATABASE_CORRUPT = 13
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
# errno values meaning "cannot bind this port, try another one". On Windows,
# WSAEACCES also shows up for ports the OS has reserved.
PORT_UNAVAILABLE = {errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", None)} | (
    {getattr(errno, "WSAEACCES", None)} if sys.platform == "win32" else set()
)


class DesktopServer:
    """Migrate, seed once, bind and serve; `stdout` and `stderr` take whole lines."""

    def __init__(self, stdout, stderr, app_version: str | None = None):
        self.stdout = stdout
        self.stderr = stderr
        self.app_version = app_version

    def address_or_exit(self) -> tuple[str, int]:
        host = settings.DESKTOP_DJANGO_HOST
        port = settings.DESKTOP_DJANGO_PORT
        if not port:
            self.exit(
                EXIT_BAD_ADDRESS,
                "DESKTOP_DJANGO_PORT is not set; the shell must set it to the port to serve on.",
            )
        if not str(port).isdigit() or not 0 < int(port) < 65536:
            self.exit(EXIT_BAD_ADDRESS, f"DESKTOP_DJANGO_PORT={port!r} is not a port number.")
        if host not in LOOPBACK_HOSTS:
            self.exit(
                EXIT_BAD_ADDRESS,
                f"DESKTOP_DJANGO_HOST={host!r}: a desktop backend only listens on 127.0.0.1.",
            )
        return host, int(port)

    def serve(self, host: str, port: int) -> None:
        self.prepare_database()
        httpd = self.bind(host, port)
        resume_gc()
        serving = {
            "url": f"http://{host}:{port}/",
            "pid": os.getpid(),
            "workers": worker_commands(),
            "auto_login": auto_login_enabled(),
        }
        self.stdout.write(f"{SERVING_PREFIX} {json.dumps(serving)}")
        self.stdout.flush()
        try:
            httpd.run()
        except KeyboardInterrupt:
            self.exit(0)

    def prepare_database(self) -> None:
        # A damaged file is reported as such (13) before anything copies it.
        try:
            check_database_integrity()
        except DatabaseCorrupt as error:
            self.exit(EXIT_DATABASE_CORRUPT, str(error))
        backup = self.backup_before_migrations()
        try:
            apply_pending_migrations()
        except DatabaseFromNewerVersion as error:
            self.exit(EXIT_DATABASE_NEWER, str(error))
        except Exception as error:
            traceback.print_exc()
            summary = " ".join(f"{type(error).__name__}: {error}".split())
            if backup:
                connections.close_all()
                self.stderr.write(f"desktop_serve: {upgrade.restore_backup(backup)}")
            self.exit(EXIT_MIGRATION_FAILED, f"migration failed: {summary}")
        seed_if_never_seeded()
        if self.app_version:
            upgrade.record_run_version(self.upgrade_paths()[0], self.app_version)
        # Request threads open their own connections.
        connections.close_all()

    def upgrade_paths(self) -> tuple[Path, Path | None]:
        """The app-data folder, and the SQLite database file (None for another engine)."""
        database = settings.DATABASES["default"]
        name = Path(database["NAME"]) if database["ENGINE"].endswith("sqlite3") else None
        folder = settings.DESKTOP_DJANGO_APP_DATA_DIR or (name.parent if name else Path.cwd())
        return Path(folder), name

    def backup_before_migrations(self) -> upgrade.UpgradeBackup | None:
        app_data_dir, database = self.upgrade_paths()
        if not self.app_version or database is None:
            return None
        try:
            backup = upgrade.backup_before_migrations(app_data_dir, database, self.app_version)
        except upgrade.BackupFailed as error:
            self.exit(EXIT_MIGRATION_FAILED, str(error))
        if backup:
            self.stderr.write(f"desktop_serve: {upgrade.describe_backup(backup)}")
        return backup

    def bind(self, host: str, port: int):
        try:
            return make_server(host, port, get_internal_wsgi_application())
        except OSError as error:
            if error.errno in PORT_UNAVAILABLE:
                self.exit(EXIT_PORT_IN_USE, f"port {port} is already in use")
            raise

    def exit(self, code: int, message: str | None = None) -> None:
        if message:
            self.stderr.write(f"desktop_serve: {message}")
        if threading.current_thread() is threading.main_thread():
            sys.exit(code)
        # Under --reload the server runs in a thread, where sys.exit would
        # end only that thread and leave the reloader waiting.
        self.stdout.flush()
        self.stderr.flush()
        os._exit(code)
