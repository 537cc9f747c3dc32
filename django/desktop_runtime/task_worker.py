"""The desktop worker for Django's Tasks framework with django-tasks-db.

django-tasks-db marks a task RUNNING when a worker claims it and finished when
the worker records the outcome. A worker that dies in between (the shell was
killed, the worker crashed) leaves the row RUNNING, and the library never
looks at it again: no lease, no heartbeat. That holds for every task a
project enqueues, whatever its function.

A desktop app runs one worker per database, and `hold_worker_lock()` makes
that a rule: the worker holds an OS file lock beside the database for its whole
life, and a second worker waits for it. The operating system releases the
lock when its holder dies however it dies, so whoever holds the lock knows
that every RUNNING task belongs to a dead worker, and
`recover_orphaned_tasks()` gives each another attempt, or fails it after
MAX_ATTEMPTS.

`run_worker()` puts it together for a management command declared as
`desktop_worker_command`: `manage.py desktop_db_worker` is one, for projects
that use django-tasks-db and need nothing more. This module imports
django-tasks-db, so only such a command imports it.
"""

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .lifetime import exit_when_stdin_closes

MAX_ATTEMPTS = 2
WORKER_STOPPED = "Worker stopped mid-task."


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


def recover_orphaned_tasks(
    message: str = WORKER_STOPPED, on_failed: Callable[[DBTaskResult], None] | None = None
) -> list[tuple[str, str]]:
    """Queue again, or fail with `message`, every task left RUNNING.

    Call only while holding the worker lock.

    `on_failed(task_result)` runs, in the same transaction, for each task failed
    here, so a project can record the failure on its own rows too.
    Returns (task id, new status) pairs.
    """
    changed = []
    for task_result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING):
        with transaction.atomic():
            if len(task_result.worker_ids) < MAX_ATTEMPTS:
                task_result.status = TaskResultStatus.READY
                task_result.started_at = None
                task_result.save(update_fields=["status", "started_at"])
            else:
                task_result.set_failed(WorkerStopped(message))
                if on_failed:
                    on_failed(task_result)
        changed.append((str(task_result.id), task_result.status))
    return changed


def worker_id() -> str:
    return f"worker-{os.getpid()}"


def run_worker(
    say: Callable[[str], None],
    interval: float,
    message: str = WORKER_STOPPED,
    on_failed: Callable[[DBTaskResult], None] | None = None,
) -> None:
    """Run django-tasks-db's db_worker until stdin closes.

    One worker at a time; the tasks a dead worker left running are recovered first.
    """
    exit_when_stdin_closes()
    me = worker_id()
    lock = hold_worker_lock(on_wait=lambda: say(f"{me} waits for the running worker"))
    for task_id, status in recover_orphaned_tasks(message, on_failed):
        say(f"task {task_id} lost its worker; now {status}")
    say(f"{me} ready")
    try:
        call_command(
            "db_worker",
            worker_id=me,
            interval=interval,
            reload=False,
            startup_delay=False,
            verbosity=1,
        )
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        lock.close()
