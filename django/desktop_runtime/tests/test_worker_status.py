"""Reading what the shell writes about its workers (desktop_runtime/workers.py)."""

import json
import tempfile
from pathlib import Path

from django.test import SimpleTestCase, override_settings

from desktop_runtime.workers import worker_state, worker_status, worker_status_file


class WorkerStatusTests(SimpleTestCase):
    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.app_data = Path(folder.name)
        self.enterContext(override_settings(DESKTOP_DJANGO_APP_DATA_DIR=str(self.app_data)))

    def test_the_file_sits_in_the_app_data_folder_under_the_command_name(self):
        self.assertEqual(
            worker_status_file("process_imports"),
            self.app_data / "worker-status" / "process_imports.json",
        )

    def test_reads_the_state_the_shell_wrote(self):
        path = worker_status_file("process_imports")
        path.parent.mkdir()
        status = {"command": "process_imports", "state": "stopped", "lastLines": ["boom"]}
        path.write_text(json.dumps(status), encoding="utf-8")
        self.assertEqual(worker_status("process_imports"), status)
        self.assertEqual(worker_state("process_imports"), "stopped")

    def test_no_file_half_a_file_or_no_app_data_folder_means_no_word(self):
        self.assertIsNone(worker_status("process_imports"))
        path = worker_status_file("process_imports")
        path.parent.mkdir()
        path.write_text('{"state": "sto', encoding="utf-8")
        self.assertIsNone(worker_status("process_imports"))
        self.assertEqual(worker_state("process_imports"), "running")
        with override_settings(DESKTOP_DJANGO_APP_DATA_DIR=None):
            self.assertIsNone(worker_status_file("process_imports"))
            self.assertIsNone(worker_status("process_imports"))
