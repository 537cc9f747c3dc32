"""`manage.py run_routines`: the Stable Routines worker, declared to the shell.

django-tasks-db's own `db_worker` runs the tasks; this command wraps it with
what a desktop worker needs. Like the server, it exits as soon as its stdin
closes (the shell is gone), whoever started it. Before working it takes the
worker lock and recovers routines a dead worker left running
(routines/recovery.py says why the library needs that).
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from desktop_runtime.lifetime import exit_when_stdin_closes
from routines.recovery import hold_worker_lock, recover_orphaned_tasks, worker_id


class Command(BaseCommand):
    help = "Run Stable Routines with django-tasks-db's worker until stdin closes (or Ctrl+C)."
    requires_system_checks = []

    def handle(self, *args, **options):
        exit_when_stdin_closes()
        me = worker_id()
        lock = hold_worker_lock(on_wait=lambda: self.say(f"{me} waits for the running worker"))
        for task_id, status in recover_orphaned_tasks():
            self.say(f"task {task_id} lost its worker; now {status}")
        self.say(f"{me} ready")
        try:
            call_command(
                "db_worker",
                worker_id=me,
                interval=settings.ROUTINES_POLL_SECONDS,
                reload=False,
                startup_delay=False,
                verbosity=1,
            )
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            lock.close()

    def say(self, line: str) -> None:
        self.stdout.write(f"run_routines: {line}")
        self.stdout.flush()
