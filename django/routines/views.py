"""Views of Stable Routines: the page, starting a routine, and the JSON the page polls."""

import random

from django.contrib import messages
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.tasks import TaskResultStatus
from django.views.decorators.http import require_POST, require_safe
from django_tasks_db.models import DBTaskResult

from desktop_runtime.workers import worker_state, worker_status

from .apps import RoutinesConfig
from .models import Routine
from .tasks import run_routine

SHOWN_ROUTINES = 30
ROUTINE_NAMES = [
    "Cloud hop",
    "Meadow sprint",
    "Moonlight canter",
    "Mane braid",
    "Wing stretch",
    "Hay bale stack",
    "Rainbow loop",
    "Horseshoe polish",
    "Apple fetch",
    "Sky trot",
]


def shown_routines():
    return Routine.objects.select_related("task")[:SHOWN_ROUTINES]


def start_routine() -> Routine:
    """Create a routine and enqueue its task in one transaction: no worker sees one alone."""
    with transaction.atomic():
        number = Routine.objects.count() + 1
        routine = Routine.objects.create(name=f"{random.choice(ROUTINE_NAMES)} #{number}")
        routine.task_id = run_routine.enqueue(routine.pk).id
        routine.save(update_fields=["task"])
    return routine


@require_safe
def routine_list(request):
    context = {
        "routines": shown_routines(),
        "worker": worker_status(RoutinesConfig.desktop_worker_command),
    }
    return render(request, "routines/routine_list.html", context)


@require_POST
def routine_start(request):
    routine = start_routine()
    messages.success(request, f"{routine.name} is waiting for a worker.")
    return redirect("routines:routine_list")


@require_POST
def routine_clear(request):
    """Forget finished routines (and their task results); queued and running ones stay."""
    DBTaskResult.objects.filter(
        routine__isnull=False,
        status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
    ).delete()
    return redirect("routines:routine_list")


@require_safe
def routine_status(request):
    return JsonResponse(
        {
            "routines": [
                {
                    "id": routine.pk,
                    "name": routine.name,
                    "status": routine.status,
                    "status_label": routine.get_status_display(),
                    "attempts": routine.attempts,
                    "result": routine.result,
                    "duration_seconds": routine.duration_seconds,
                }
                for routine in shown_routines()
            ],
            # The page reloads when this changes, to show (or take away) the worker's trouble.
            "worker_state": worker_state(RoutinesConfig.desktop_worker_command),
        }
    )
