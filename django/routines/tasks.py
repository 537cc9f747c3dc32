"""The routine task: the fake background work that Django's Tasks framework runs.

The page enqueues `run_routine` (routines/views.py); the django-tasks-db
backend stores it as a row in SQLite, and the worker process (`manage.py
run_routines`) runs it. Whether it is waiting, running, done or failed is the
Tasks framework's own status: nothing here keeps a queue.
"""

import random
import time

from django.conf import settings
from django.tasks import TaskContext, task

from .models import Routine

SUCCESS_RESULTS = [
    "Landed softly on the hill.",
    "Every feather in place.",
    "Back in the stable before supper.",
    "Not a single cloud bumped.",
]
FAILURE_RESULTS = [
    "Spooked by a thunderclap.",
    "Tangled in the weather vane.",
    "Stopped for a very long snack.",
    "Lost a horseshoe mid-air.",
]


class RoutineFailed(Exception):
    """The fake workload's planned failure: the task ends FAILED with this message."""


@task(takes_context=True)
def run_routine(context: TaskContext, routine_id: int) -> str:
    """Wait a random while, then succeed or fail at random, and say how it went."""
    print(
        f"run_routines: {context.task_result.worker_ids[-1]} runs routine {routine_id}"
        f" (attempt {context.attempt})",
        flush=True,
    )
    started = time.monotonic()
    time.sleep(random.uniform(settings.ROUTINES_MIN_SECONDS, settings.ROUTINES_MAX_SECONDS))
    succeeded = random.random() >= settings.ROUTINES_FAILURE_RATE
    result = random.choice(SUCCESS_RESULTS if succeeded else FAILURE_RESULTS)
    Routine.objects.filter(pk=routine_id).update(
        result=result, duration_seconds=round(time.monotonic() - started, 1)
    )
    if not succeeded:
        raise RoutineFailed(result)
    return result
