"""`manage.py run_routines`: the Stable Routines worker, declared to the shell.

django-tasks-db's own `db_worker` runs the tasks; desktop_runtime's
`run_worker()` wraps it with what a desktop worker needs: it exits as soon as
its stdin closes (the shell is gone), whoever started it, takes the worker
lock, and first recovers every task a dead worker left running. This command
adds the routines' wording and their poll interval.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from desktop_runtime.task_worker import run_worker
from routines.recovery import WORKER_STOPPED, record_on_routine


class Command(BaseCommand):
    help = "Run Stable Routines with django-tasks-db's worker until stdin closes (or Ctrl+C)."
    requires_system_checks = []

    def handle(self, *args, **options):
        run_worker(self.say, settings.ROUTINES_POLL_SECONDS, WORKER_STOPPED, record_on_routine)

    def say(self, line: str) -> None:
        self.stdout.write(f"run_routines: {line}")
        self.stdout.flush()
