"""`manage.py run_routines`: the Stable Routines worker loop.

The shell starts it after desktop_serve reports "run_routines" among its
workers, with stdin as a pipe: like the server, the worker exits as soon as
the shell is gone. Run several at once and each routine still runs only once.
"""

import os
import secrets
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError

from desktop_runtime.lifetime import exit_when_stdin_closes
from routines.queue import claim_next_routine, perform_routine, recover_expired_routines


class Command(BaseCommand):
    help = "Run queued Stable Routines until stdin closes (or Ctrl+C)."
    requires_system_checks = []

    def handle(self, *args, **options):
        exit_when_stdin_closes()
        worker_id = f"worker-{os.getpid()}-{secrets.token_hex(2)}"
        self.say(f"{worker_id} ready")
        try:
            while True:
                try:
                    worked = self.work_once(worker_id)
                except DatabaseError as error:
                    # For example the server has not created the tables yet.
                    self.say(f"database not ready ({error}); retrying")
                    time.sleep(1)
                    continue
                if not worked:
                    time.sleep(settings.ROUTINES_POLL_SECONDS)
        except KeyboardInterrupt:
            pass

    def work_once(self, worker_id: str) -> bool:
        for routine, new_status in recover_expired_routines():
            self.say(f"routine {routine.pk} lost its worker; now {new_status}")
        routine = claim_next_routine(worker_id)
        if routine is None:
            return False
        self.say(f"{worker_id} claimed routine {routine.pk} (attempt {routine.attempts})")
        finished = perform_routine(routine, worker_id)
        if finished is None:
            self.say(f"routine {routine.pk} was taken over by another worker")
        else:
            self.say(f"routine {finished.pk} {finished.status} in {finished.duration_seconds} s")
        return True

    def say(self, line: str) -> None:
        self.stdout.write(f"run_routines: {line}")
        self.stdout.flush()
