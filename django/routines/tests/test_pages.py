"""The Stable Routines page, its buttons and the JSON it polls."""

import json
import tempfile
from pathlib import Path

from bs4 import BeautifulSoup
from django.test import Client, TestCase, override_settings
from django_tasks_db.models import DBTaskResult

from desktop_runtime.tests.support import without_shell
from routines.models import Routine
from routines.views import start_routine


@without_shell
class RoutinePageTests(TestCase):
    def test_an_empty_page_shows_the_gears(self):
        response = self.client.get("/routines/")
        self.assertEqual(response.status_code, 200)
        soup = BeautifulSoup(response.content, "html.parser")
        self.assertIsNotNone(soup.select_one(".empty-state svg"))
        self.assertIsNotNone(soup.find("button", string="Start Routine"))
        self.assertEqual(
            soup.select_one(".topnav-links [aria-current]").get_text(), "Stable Routines"
        )

    def test_start_routine_queues_one(self):
        response = self.client.post("/routines/start/", follow=True)
        self.assertRedirects(response, "/routines/")
        routine = Routine.objects.get()
        self.assertEqual(routine.status, Routine.Status.QUEUED)
        soup = BeautifulSoup(response.content, "html.parser")
        row = soup.select_one(f'[data-routine-id="{routine.pk}"]')
        self.assertEqual(row.select_one("[data-status]")["data-status"], "queued")
        self.assertIn(routine.name, row.get_text())

    def test_start_needs_a_post_with_a_csrf_token(self):
        self.assertEqual(self.client.get("/routines/start/").status_code, 405)
        strict = Client(enforce_csrf_checks=True)
        self.assertEqual(strict.post("/routines/start/").status_code, 403)
        self.assertEqual(Routine.objects.count(), 0)

    def test_the_status_endpoint_reports_every_routine(self):
        queued = start_routine()
        done = start_routine()
        done.task.claim("worker-test")
        done.task.set_successful("Neat.")
        Routine.objects.filter(pk=done.pk).update(result="Neat.")
        response = self.client.get("/routines/status/")
        self.assertEqual(response.status_code, 200)
        routines = {entry["id"]: entry for entry in response.json()["routines"]}
        self.assertEqual(routines[queued.pk]["status"], "queued")
        self.assertEqual(routines[done.pk]["status"], "succeeded")
        self.assertEqual(routines[done.pk]["status_label"], "Succeeded")
        self.assertEqual(routines[done.pk]["result"], "Neat.")

    def test_clear_finished_keeps_unfinished_routines(self):
        queued = start_routine()
        old = start_routine()
        old.task.claim("worker-test")
        old.task.set_failed(RuntimeError("Spooked."))
        self.client.post("/routines/clear/")
        self.assertEqual(list(Routine.objects.all()), [queued])
        self.assertEqual(str(DBTaskResult.objects.get().pk), str(queued.task_id))


@without_shell
class WorkerTroubleTests(TestCase):
    """What the shell writes about the worker (final/src/worker.ts), shown on the page."""

    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.app_data = Path(folder.name)
        self.enterContext(override_settings(DESKTOP_DJANGO_APP_DATA_DIR=str(self.app_data)))

    def write_status(self, **status):
        path = self.app_data / "worker-status" / "run_routines.json"
        path.parent.mkdir()
        path.write_text(json.dumps({"command": "run_routines", **status}), encoding="utf-8")

    def test_a_stopped_worker_is_shown_with_its_last_lines_and_log(self):
        self.write_status(
            state="stopped",
            crashes=4,
            exitCode=1,
            lastLines=["Traceback (most recent call last):", "OSError: disk <full>"],
            logFile="/data/logs/worker.log",
        )
        start_routine()
        soup = BeautifulSoup(self.client.get("/routines/").content, "html.parser")
        trouble = soup.select_one(".worker-trouble")
        self.assertEqual(trouble["role"], "alert")
        self.assertEqual(trouble.h2.get_text(), "The worker stopped")
        self.assertIn("crashed 4 times in a row", trouble.get_text())
        self.assertEqual(
            trouble.select_one(".worker-trouble-lines").get_text(),
            "Traceback (most recent call last):\nOSError: disk <full>",
        )
        self.assertIn("/data/logs/worker.log", trouble.get_text())
        self.assertEqual(soup.select_one("[data-worker-state]")["data-worker-state"], "stopped")
        self.assertEqual(self.client.get("/routines/status/").json()["worker_state"], "stopped")

    def test_a_restarting_worker_says_it_starts_again(self):
        self.write_status(state="restarting", crashes=1, lastLines=[])
        soup = BeautifulSoup(self.client.get("/routines/").content, "html.parser")
        self.assertEqual(soup.select_one(".worker-trouble h2").get_text(), "The worker crashed")
        self.assertIsNone(soup.select_one(".worker-trouble-lines"))

    def test_a_running_worker_or_no_word_from_the_shell_shows_nothing(self):
        soup = BeautifulSoup(self.client.get("/routines/").content, "html.parser")
        self.assertIsNone(soup.select_one(".worker-trouble"))
        self.assertEqual(soup.select_one("[data-worker-state]")["data-worker-state"], "running")
        self.assertEqual(self.client.get("/routines/status/").json()["worker_state"], "running")
        self.write_status(state="running", crashes=0, lastLines=[])
        self.assertIsNone(
            BeautifulSoup(self.client.get("/routines/").content, "html.parser").select_one(
                ".worker-trouble"
            )
        )

    def test_an_unreadable_status_file_shows_nothing(self):
        path = self.app_data / "worker-status" / "run_routines.json"
        path.parent.mkdir()
        path.write_text("{half a file", encoding="utf-8")
        self.assertEqual(self.client.get("/routines/status/").json()["worker_state"], "running")
