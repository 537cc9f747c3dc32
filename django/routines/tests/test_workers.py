"""Two real worker processes over one SQLite file: every routine runs exactly once."""

import re
import tempfile
import time
from collections import Counter
from pathlib import Path

from django.test import SimpleTestCase

from desktop_runtime.tests.support import (
    backend_environment,
    change_database,
    query_database,
    start_command,
)

ROUTINE_COUNT = 10
FINAL = ("succeeded", "failed")


class ParallelWorkerTests(SimpleTestCase):
    def setUp(self):
        temporary = tempfile.TemporaryDirectory(prefix="dds-workers-")
        self.addCleanup(temporary.cleanup)
        self.root = Path(temporary.name)
        self.database = self.root / "app.sqlite3"
        self.env = backend_environment(
            self.root,
            DESKTOP_ROUTINES_MIN_SECONDS="0.05",
            DESKTOP_ROUTINES_MAX_SECONDS="0.2",
            DESKTOP_ROUTINES_FAILURE_RATE="0.3",
        )

    def test_two_workers_claim_every_routine_exactly_once(self):
        migrate = start_command(self, ["migrate", "--verbosity", "0"], self.env, self.root)
        self.assertEqual(migrate.wait(timeout=30), 0, migrate.stderr())
        for number in range(1, ROUTINE_COUNT + 1):
            change_database(
                self.database,
                "INSERT INTO routines_routine (name, status, attempts, claimed_by, created, result)"
                " VALUES (?, 'queued', 0, '', CURRENT_TIMESTAMP, '')",
                (f"Cloud hop #{number}",),
            )

        workers = [start_command(self, ["run_routines"], self.env, self.root) for _ in range(2)]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            rows = query_database(self.database, "SELECT status FROM routines_routine")
            if all(status in FINAL for (status,) in rows):
                break
            time.sleep(0.2)

        for worker in workers:
            started = time.monotonic()
            worker.close_stdin()
            self.assertEqual(worker.wait(timeout=2), 0)
            self.assertLess(time.monotonic() - started, 2)

        rows = query_database(
            self.database, "SELECT id, status, attempts, claimed_by FROM routines_routine"
        )
        self.assertEqual(len(rows), ROUTINE_COUNT)
        for routine_id, status, attempts, claimed_by in rows:
            with self.subTest(routine=routine_id):
                self.assertIn(status, FINAL)
                self.assertEqual(attempts, 1)
                self.assertTrue(claimed_by.startswith("worker-"))

        claims = Counter(
            int(match.group(1))
            for worker in workers
            for line in worker.output
            if (match := re.search(r"claimed routine (\d+) ", line))
        )
        self.assertEqual(sorted(claims), [row[0] for row in sorted(rows)])
        self.assertEqual(set(claims.values()), {1}, "no routine was claimed twice")
