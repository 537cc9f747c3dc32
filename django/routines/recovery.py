"""What the worker adds to django-tasks-db: one worker at a time, and no routine left "running".

django-tasks-db marks a task RUNNING when a worker claims it and finished
when the worker records the outcome. A worker that dies in between (the
shell was killed, the worker crashed) leaves the row RUNNING, and the
library never looks at it again: no lease, no heartbeat.

The shell runs one worker per database. `hold_worker_lock()` makes that a
rule: the worker holds an OS file lock beside the database for its whole
life, and a second worker waits for it. The operating system releases the
lock when its holder dies however it dies, so whoever holds the lock knows
that every RUNNING routine task belongs to a dead worker, and
`recover_orphaned_tasks()` gives each another attempt, or fails it after
MAX_ATTEMPTS.
"""

import os
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import Routine
from .tasks import run_routine

MAX_ATTEMPTS = 2
WORKER_STOPPED = "Worker stopped mid-routine."


class WorkerStopped(Exception):
    """Recorded as the error of a task whose worker died while running it."""


def worker_lock_path() -> Path:
    return Path(f"{settings.DATABASES['default']['NAME']}.worker-lock")


def hold_worker_lock(on_wait=None):
    """Take the worker lock, waiting while another worker holds it; keep the returned file open."""
    path = worker_lock_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+b")
    waited = False
    while not _try_lock(handle):
        if not waited and on_wait:
            on_wait()
        waited = True
        time.sleep(0.2)
    return handle


def _try_lock(handle) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def recover_orphaned_tasks() -> list[tuple[str, str]]:
    """Queue again, or fail, routine tasks left RUNNING. Call only while holding the worker lock.

    Returns (task id, new status) pairs.
    """
    changed = []
    orphans = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, task_path=run_routine.module_path
    )
    for task_result in orphans:
        with transaction.atomic():
            if len(task_result.worker_ids) < MAX_ATTEMPTS:
                task_result.status = TaskResultStatus.READY
                task_result.started_at = None
                task_result.save(update_fields=["status", "started_at"])
            else:
                task_result.set_failed(WorkerStopped(WORKER_STOPPED))
                Routine.objects.filter(task=task_result).update(result=WORKER_STOPPED)
        changed.append((str(task_result.id), task_result.status))
    return changed


def worker_id() -> str:
    return f"worker-{os.getpid()}"
