"""The routine task, starting routines, and what the worker adds to django-tasks-db."""

import tempfile
import threading
from pathlib import Path
from unittest import mock

from django.tasks import TaskContext, TaskResultStatus
from django.test import TestCase, override_settings
from django_tasks_db.models import DBTaskResult

from desktop_runtime.task_worker import WORKER_STOPPED as GENERAL_WORKER_STOPPED
from desktop_runtime.task_worker import recover_orphaned_tasks as recover_every_orphaned_task
from routines.models import Routine
from routines.recovery import (
    MAX_ATTEMPTS,
    WORKER_STOPPED,
    hold_worker_lock,
    recover_orphaned_tasks,
    worker_lock_path,
)
from routines.tasks import FAILURE_RESULTS, SUCCESS_RESULTS, RoutineFailed, run_routine
from routines.tests.other_tasks import count_letters
from routines.views import start_routine

fast_routines = override_settings(ROUTINES_MIN_SECONDS=0, ROUTINES_MAX_SECONDS=0)


class StartRoutineTests(TestCase):
    def test_a_started_routine_has_a_numbered_name_and_a_queued_task(self):
        first, second = start_routine(), start_routine()
        self.assertTrue(first.name.endswith(" #1"))
        self.assertTrue(second.name.endswith(" #2"))
        first.refresh_from_db()
        self.assertEqual(first.task.status, TaskResultStatus.READY)
        self.assertEqual(first.task.task_path, run_routine.module_path)
        self.assertEqual(first.task.args_kwargs, {"args": [first.pk], "kwargs": {}})
        self.assertEqual(first.status, Routine.Status.QUEUED)
        self.assertEqual(first.attempts, 0)


class RunRoutineTests(TestCase):
    def run_one(self):
        routine = start_routine()
        task_result = routine.task
        task_result.claim("worker-test")
        try:
            value = run_routine.call(TaskContext(task_result=task_result.task_result), routine.pk)
        except RoutineFailed as error:
            value = error
        routine.refresh_from_db()
        return routine, value

    @fast_routines
    @override_settings(ROUTINES_FAILURE_RATE=0)
    def test_a_routine_that_succeeds_says_how(self):
        routine, value = self.run_one()
        self.assertIn(value, SUCCESS_RESULTS)
        self.assertEqual(routine.result, value)
        self.assertIsNotNone(routine.duration_seconds)

    @fast_routines
    @override_settings(ROUTINES_FAILURE_RATE=1)
    def test_a_routine_that_fails_raises_with_its_result(self):
        routine, error = self.run_one()
        self.assertIsInstance(error, RoutineFailed)
        self.assertIn(str(error), FAILURE_RESULTS)
        self.assertEqual(routine.result, str(error))


class RecoveryTests(TestCase):
    def orphan(self, attempts):
        routine = start_routine()
        for number in range(attempts):
            routine.task.claim(f"worker-gone-{number}")
        return routine

    def test_a_routine_left_running_once_is_queued_again(self):
        routine = self.orphan(attempts=1)
        self.assertEqual(recover_orphaned_tasks(), [(str(routine.task_id), TaskResultStatus.READY)])
        routine.refresh_from_db()
        self.assertEqual(routine.status, Routine.Status.QUEUED)
        self.assertEqual(routine.attempts, 1)

    def test_a_routine_left_running_on_its_last_attempt_fails_with_a_reason(self):
        routine = self.orphan(attempts=MAX_ATTEMPTS)
        self.assertEqual(
            recover_orphaned_tasks(), [(str(routine.task_id), TaskResultStatus.FAILED)]
        )
        routine = Routine.objects.select_related("task").get(pk=routine.pk)
        self.assertEqual(routine.status, Routine.Status.FAILED)
        self.assertEqual(routine.result, WORKER_STOPPED)
        self.assertIn("WorkerStopped", routine.task.exception_class_path)

    def test_queued_and_finished_routines_are_left_alone(self):
        start_routine()
        done = self.orphan(attempts=1)
        done.task.set_successful("Landed.")
        self.assertEqual(recover_orphaned_tasks(), [])


class OtherTasksRecoveryTests(TestCase):
    """Not only routines: any task the project enqueues through django.tasks is recovered."""

    def orphan(self, attempts):
        result = count_letters.enqueue("pony")
        task_result = DBTaskResult.objects.get(id=result.id)
        for number in range(attempts):
            task_result.claim(f"worker-gone-{number}")
        return task_result

    def test_a_task_left_running_once_is_queued_again(self):
        task_result = self.orphan(attempts=1)
        self.assertEqual(
            recover_every_orphaned_task(), [(str(task_result.id), TaskResultStatus.READY)]
        )
        task_result.refresh_from_db()
        self.assertEqual(task_result.status, TaskResultStatus.READY)
        self.assertIsNone(task_result.started_at)

    def test_a_task_left_running_on_its_last_attempt_fails_with_a_reason(self):
        task_result = self.orphan(attempts=MAX_ATTEMPTS)
        failed = []
        self.assertEqual(
            recover_every_orphaned_task(on_failed=failed.append),
            [(str(task_result.id), TaskResultStatus.FAILED)],
        )
        task_result.refresh_from_db()
        self.assertEqual(task_result.status, TaskResultStatus.FAILED)
        self.assertIn("WorkerStopped", task_result.exception_class_path)
        self.assertIn(GENERAL_WORKER_STOPPED, task_result.traceback)
        self.assertEqual([each.id for each in failed], [task_result.id])

    def test_the_demo_worker_recovers_them_too_and_leaves_routines_untouched(self):
        routine = start_routine()
        other = self.orphan(attempts=MAX_ATTEMPTS)
        self.assertEqual(recover_orphaned_tasks(), [(str(other.id), TaskResultStatus.FAILED)])
        routine.refresh_from_db()
        self.assertEqual(routine.status, Routine.Status.QUEUED)
        self.assertEqual(routine.result, "")


class WorkerLockTests(TestCase):
    def test_the_lock_file_sits_beside_the_database(self):
        with override_settings(DATABASES={"default": {"NAME": "/data/app.sqlite3"}}):
            self.assertEqual(str(worker_lock_path()), "/data/app.sqlite3.worker-lock")

    def test_a_second_worker_waits_until_the_first_one_lets_go(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        lock_path = Path(folder.name) / "app.sqlite3.worker-lock"
        self.enterContext(
            mock.patch("desktop_runtime.task_worker.worker_lock_path", return_value=lock_path)
        )
        first = hold_worker_lock()
        self.addCleanup(first.close)

        waits = []
        taken = threading.Event()

        def second_worker():
            handle = hold_worker_lock(on_wait=lambda: waits.append(True))
            taken.set()
            handle.close()

        thread = threading.Thread(target=second_worker, daemon=True)
        thread.start()
        self.assertFalse(taken.wait(0.6), "the second worker must wait")
        self.assertEqual(waits, [True])
        first.close()
        self.assertTrue(taken.wait(3), "the second worker takes the lock once it is free")
