"""A routine: one unit of fake background work, started from the page, run as a task."""

from django.db import models
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult


class Routine(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    # The Tasks framework's status, in the page's words.
    STATUS_OF_TASK = {
        TaskResultStatus.READY: Status.QUEUED,
        TaskResultStatus.RUNNING: Status.RUNNING,
        TaskResultStatus.SUCCESSFUL: Status.SUCCEEDED,
        TaskResultStatus.FAILED: Status.FAILED,
    }

    name = models.CharField(max_length=100)
    # The task that runs this routine: django-tasks-db's row holds its status,
    # its attempts (one worker id per attempt) and its timings.
    # Null only inside the transaction that creates the routine and enqueues it.
    task = models.OneToOneField(
        DBTaskResult, on_delete=models.CASCADE, null=True, related_name="routine"
    )
    created = models.DateTimeField(auto_now_add=True)
    result = models.CharField(max_length=200, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self):
        return self.name

    @property
    def status(self) -> str:
        return self.STATUS_OF_TASK[self.task.status]

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    @property
    def attempts(self) -> int:
        return len(self.task.worker_ids)
