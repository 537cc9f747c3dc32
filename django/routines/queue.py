"""The routine queue: enqueue, claim atomically, renew leases, recover, finish.

Plain database rows, no queue library: a conditional UPDATE is the claim,
and SQLite's write lock makes sure only one worker's UPDATE matches.
"""

import random
import time
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .models import Routine

MAX_ATTEMPTS = 2
WORKER_STOPPED = "Worker stopped mid-routine."
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


def enqueue_routine() -> Routine:
    number = Routine.objects.count() + 1
    return Routine.objects.create(name=f"{random.choice(ROUTINE_NAMES)} #{number}")


def lease_deadline():
    return timezone.now() + timedelta(seconds=settings.ROUTINES_LEASE_SECONDS)


def claim_next_routine(worker_id: str) -> Routine | None:
    """Claim the oldest queued routine for `worker_id`, or return None.

    The UPDATE only matches while the routine is still queued, so when two
    workers pick the same row, exactly one of them updates it (count 1) and
    the other moves on to the next candidate.
    """
    candidates = Routine.objects.filter(status=Routine.Status.QUEUED).order_by("created", "pk")
    for pk in candidates.values_list("pk", flat=True)[:10]:
        now = timezone.now()
        claimed = Routine.objects.filter(pk=pk, status=Routine.Status.QUEUED).update(
            status=Routine.Status.RUNNING,
            claimed_by=worker_id,
            lease_expires_at=lease_deadline(),
            started_at=now,
            attempts=F("attempts") + 1,
        )
        if claimed == 1:
            return Routine.objects.get(pk=pk)
    return None


def renew_lease(routine: Routine, worker_id: str) -> bool:
    """Extend the lease; False if the routine is no longer ours."""
    return bool(
        Routine.objects.filter(
            pk=routine.pk, status=Routine.Status.RUNNING, claimed_by=worker_id
        ).update(lease_expires_at=lease_deadline())
    )


def recover_expired_routines() -> list[tuple[Routine, str]]:
    """Give routines whose worker died another chance, or fail them.

    Returns (routine, new status) pairs. Each change is again a conditional
    UPDATE, so two workers recovering at once cannot both act on one routine.
    """
    now = timezone.now()
    changed = []
    expired = Routine.objects.filter(status=Routine.Status.RUNNING, lease_expires_at__lt=now)
    for routine in expired:
        still_expired = Routine.objects.filter(
            pk=routine.pk, status=Routine.Status.RUNNING, lease_expires_at__lt=now
        )
        if routine.attempts < MAX_ATTEMPTS:
            updated = still_expired.update(
                status=Routine.Status.QUEUED, claimed_by="", lease_expires_at=None, started_at=None
            )
            new_status = Routine.Status.QUEUED
        else:
            updated = still_expired.update(
                status=Routine.Status.FAILED,
                lease_expires_at=None,
                finished_at=now,
                result=WORKER_STOPPED,
            )
            new_status = Routine.Status.FAILED
        if updated:
            changed.append((routine, new_status))
    return changed


def perform_routine(routine: Routine, worker_id: str) -> Routine | None:
    """Do the fake work: wait a random while, then succeed or fail at random.

    Renews the lease every second meanwhile. Returns the finished routine, or
    None if the lease was lost (another worker recovered it).
    """
    started = time.monotonic()
    duration = random.uniform(settings.ROUTINES_MIN_SECONDS, settings.ROUTINES_MAX_SECONDS)
    while (remaining := duration - (time.monotonic() - started)) > 0:
        time.sleep(min(remaining, 1.0))
        if not renew_lease(routine, worker_id):
            return None
    succeeded = random.random() >= settings.ROUTINES_FAILURE_RATE
    finished = Routine.objects.filter(
        pk=routine.pk, status=Routine.Status.RUNNING, claimed_by=worker_id
    ).update(
        status=Routine.Status.SUCCEEDED if succeeded else Routine.Status.FAILED,
        result=random.choice(SUCCESS_RESULTS if succeeded else FAILURE_RESULTS),
        duration_seconds=round(time.monotonic() - started, 1),
        finished_at=timezone.now(),
        lease_expires_at=None,
    )
    return Routine.objects.get(pk=routine.pk) if finished else None
