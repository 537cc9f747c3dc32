"""What a dead worker leaves behind, for the routines page.

desktop_runtime/task_worker.py queues again, or fails, every task a dead
worker left RUNNING (django-tasks-db never does; that module says why). A
routine keeps its own "result" text beside its task, so when a routine's
task is failed that way, the routine says so too.
"""

from desktop_runtime.task_worker import (
    MAX_ATTEMPTS,
    WorkerStopped,
    hold_worker_lock,
    worker_id,
    worker_lock_path,
)
from desktop_runtime.task_worker import (
    recover_orphaned_tasks as recover_every_orphaned_task,
)

from .models import Routine

WORKER_STOPPED = "Worker stopped mid-routine."

__all__ = [
    "MAX_ATTEMPTS",
    "WORKER_STOPPED",
    "WorkerStopped",
    "hold_worker_lock",
    "record_on_routine",
    "recover_orphaned_tasks",
    "worker_id",
    "worker_lock_path",
]


def record_on_routine(task_result) -> None:
    """A routine whose task failed because its worker died says so on the page."""
    Routine.objects.filter(task=task_result).update(result=WORKER_STOPPED)


def recover_orphaned_tasks() -> list[tuple[str, str]]:
    """Every task left RUNNING, routines' and others', recovered with the routines' wording."""
    return recover_every_orphaned_task(WORKER_STOPPED, record_on_routine)
