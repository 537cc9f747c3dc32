"""Views of Stable Routines: the page, starting a routine, and the JSON the page polls."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from .models import Routine
from .queue import enqueue_routine

SHOWN_ROUTINES = 30


@require_safe
def routine_list(request):
    routines = Routine.objects.all()[:SHOWN_ROUTINES]
    return render(request, "routines/routine_list.html", {"routines": routines})


@require_POST
def routine_start(request):
    routine = enqueue_routine()
    messages.success(request, f"{routine.name} is waiting for a worker.")
    return redirect("routines:routine_list")


@require_POST
def routine_clear(request):
    """Forget finished routines; queued and running ones stay."""
    Routine.objects.filter(status__in=[Routine.Status.SUCCEEDED, Routine.Status.FAILED]).delete()
    return redirect("routines:routine_list")


@require_safe
def routine_status(request):
    routines = Routine.objects.all()[:SHOWN_ROUTINES]
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
                for routine in routines
            ]
        }
    )
