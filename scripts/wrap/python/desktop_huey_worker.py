"""`manage.py desktop_huey_worker`: the project's huey tasks, run by the desktop shell.

Written by desktop-django-starter's `npm run wrap`; yours to edit.

desktop_settings/apps.py declares it as the app's desktop_worker_command, so
the shell starts it once Django answers and stops it with the app. Like the
server, it ends within a moment of its stdin closing (the shell is gone,
however it died). huey's own consumer (run_huey) does the work, on the SQLite
storage in the app-data folder (desktop_settings/writable.py).
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from desktop_runtime.lifetime import exit_when_stdin_closes


class Command(BaseCommand):
    help = "Run the project's huey tasks until stdin closes (or Ctrl+C)."
    requires_system_checks = []

    def handle(self, *args, **options):
        exit_when_stdin_closes()
        self.stdout.write("desktop_huey_worker: ready")
        self.stdout.flush()
        # Threads, not processes: one process for the shell to supervise, and
        # stdin's end-of-file ends them all at once.
        call_command("run_huey", worker_type="thread", workers=2)
