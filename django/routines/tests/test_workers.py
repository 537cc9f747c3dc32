"""The real worker process: it runs routines started through the page's code,
and a worker killed mid-routine leaves nothing stuck "running"."""

import signal
import sys
import tempfile
import time
import unittest
from pathlib import Path

from django.test import SimpleTestCase

from desktop_runtime.tests.support import backend_environment, query_database, start_command

FINAL = ("SUCCESSFUL", "FAILED")
START_ROUTINE = "from routines.views import start_routine; start_routine()"
# Another task than a routine, claimed by a worker that then died: left RUNNING.
ORPHAN_OTHER_TASK = (
    "from django_tasks_db.models import DBTaskResult; "
    "from routines.tests.other_tasks import count_letters; "
    "DBTaskResult.objects.get(id=count_letters.enqueue('pegasus').id).claim('worker-gone')"
)


class WorkerProcessTests(SimpleTestCase):
    def setUp(self):
        temporary = tempfile.TemporaryDirectory(prefix="dds-workers-")
        self.addCleanup(temporary.cleanup)
        self.root = Path(temporary.name)
        self.database = self.root / "app.sqlite3"

    def environment(self, seconds):
        return backend_environment(
            self.root,
            DESKTOP_ROUTINES_MIN_SECONDS=str(seconds),
            DESKTOP_ROUTINES_MAX_SECONDS=str(seconds),
            DESKTOP_ROUTINES_FAILURE_RATE="0.3",
        )

    def run_command(self, args, env):
        process = start_command(self, args, env, self.root)
        self.assertEqual(process.wait(timeout=60), 0, process.stderr())

    def tasks(self):
        return query_database(
            self.database,
            "SELECT r.id, t.status, t.worker_ids FROM routines_routine r"
            " JOIN django_tasks_database_dbtaskresult t ON t.id = r.task_id",
        )

    def wait_for_tasks(self, done, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.tasks()
            if done(rows):
                return rows
            time.sleep(0.2)
        self.fail(f"the routines did not get there in {timeout} s: {self.tasks()}")

    def test_the_worker_runs_started_routines_to_a_final_state_and_ends_at_stdin_eof(self):
        env = self.environment(0.1)
        self.run_command(["migrate", "--verbosity", "0"], env)
        for _ in range(3):
            self.run_command(["shell", "-c", START_ROUTINE], env)
        worker = start_command(self, ["run_routines"], env, self.root)
        rows = self.wait_for_tasks(lambda rows: all(status in FINAL for _, status, _ in rows))
        self.assertEqual(len(rows), 3)
        started = time.monotonic()
        worker.close_stdin()
        self.assertEqual(worker.wait(timeout=2), 0)
        self.assertLess(time.monotonic() - started, 2)
        runs = [line for line in worker.output if " runs routine " in line]
        self.assertEqual(len(runs), 3, worker.output)

    @unittest.skipIf(
        sys.platform == "win32", "SIGKILL is POSIX; the lock holds the same way on Windows"
    )
    def test_a_worker_killed_mid_routine_leaves_nothing_running_once_a_worker_starts_again(self):
        env = self.environment(30)
        self.run_command(["migrate", "--verbosity", "0"], env)
        self.run_command(["shell", "-c", START_ROUTINE], env)
        first = start_command(self, ["run_routines"], env, self.root)
        self.wait_for_tasks(lambda rows: rows and rows[0][1] == "RUNNING")
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=5)
        # django-tasks-db by itself would leave this task RUNNING for ever.
        self.assertEqual(self.tasks()[0][1], "RUNNING")

        second = start_command(self, ["run_routines"], self.environment(0.1), self.root)
        rows = self.wait_for_tasks(lambda rows: rows[0][1] in FINAL)
        self.assertEqual(rows[0][2].count("worker-"), 2, "the second worker ran it again")
        self.assertTrue(any("lost its worker; now READY" in line for line in second.output))
        second.close_stdin()
        self.assertEqual(second.wait(timeout=2), 0)

    def test_any_task_a_dead_worker_left_running_is_run_again_by_the_general_worker(self):
        env = self.environment(0.1)
        self.run_command(["migrate", "--verbosity", "0"], env)
        self.run_command(["shell", "-c", ORPHAN_OTHER_TASK], env)
        query = "SELECT status, worker_ids, return_value FROM django_tasks_database_dbtaskresult"
        self.assertEqual(query_database(self.database, query)[0][0], "RUNNING")

        worker = start_command(self, ["desktop_db_worker", "--interval", "0.1"], env, self.root)
        deadline = time.monotonic() + 30
        while query_database(self.database, query)[0][0] != "SUCCESSFUL":
            self.assertLess(time.monotonic(), deadline, query_database(self.database, query))
            time.sleep(0.2)
        _status, worker_ids, return_value = query_database(self.database, query)[0]
        self.assertEqual(return_value, "7")
        self.assertIn("worker-gone", worker_ids)
        self.assertTrue(any("lost its worker; now READY" in line for line in worker.output))
        started = time.monotonic()
        worker.close_stdin()
        self.assertEqual(worker.wait(timeout=2), 0)
        self.assertLess(time.monotonic() - started, 2)
