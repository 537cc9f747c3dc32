"""`manage.py desktop_db_worker`: django-tasks-db's worker, run the desktop way.

Declare it on an AppConfig (`desktop_worker_command = "desktop_db_worker"`)
when the project enqueues work through `django.tasks` with django-tasks-db's
backend. It exits when its stdin closes, runs one worker per database, and
first queues again (or fails) every task a dead worker left running
(desktop_runtime/task_worker.py says why the library needs that).
"""

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run django-tasks-db's worker until stdin closes, "
        "after recovering tasks a dead worker left running."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=getattr(settings, "DESKTOP_TASKS_POLL_SECONDS", 1.0),
            help="Seconds between looks at the queue (DESKTOP_TASKS_POLL_SECONDS, default 1).",
        )

    def handle(self, *args, **options):
        from desktop_runtime.task_worker import run_worker

        run_worker(self.say, options["interval"])

    def say(self, line: str) -> None:
        self.stdout.write(f"desktop_db_worker: {line}")
        self.stdout.flush()
