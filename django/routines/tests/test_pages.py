"""The Stable Routines page, its buttons and the JSON it polls."""

from bs4 import BeautifulSoup
from django.test import Client, TestCase
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
