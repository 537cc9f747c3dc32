"""The routine queue: claiming, leases, recovery and the fake workload."""

from datetime import timedelta

from django.test import TestCase, override_settings
from django.utils import timezone

from routines.models import Routine
from routines.queue import (
    WORKER_STOPPED,
    claim_next_routine,
    enqueue_routine,
    perform_routine,
    recover_expired_routines,
    renew_lease,
)

fast_routines = override_settings(ROUTINES_MIN_SECONDS=0, ROUTINES_MAX_SECONDS=0)


class ClaimTests(TestCase):
    def test_enqueued_routines_get_fun_numbered_names(self):
        first, second = enqueue_routine(), enqueue_routine()
        self.assertTrue(first.name.endswith(" #1"))
        self.assertTrue(second.name.endswith(" #2"))
        self.assertEqual(first.status, Routine.Status.QUEUED)

    def test_the_oldest_queued_routine_is_claimed_with_a_lease(self):
        first, second = enqueue_routine(), enqueue_routine()
        claimed = claim_next_routine("worker-a")
        self.assertEqual(claimed.pk, first.pk)
        self.assertEqual(claimed.status, Routine.Status.RUNNING)
        self.assertEqual(claimed.claimed_by, "worker-a")
        self.assertEqual(claimed.attempts, 1)
        self.assertGreater(claimed.lease_expires_at, timezone.now())
        self.assertIsNotNone(claimed.started_at)
        self.assertEqual(claim_next_routine("worker-b").pk, second.pk)
        self.assertIsNone(claim_next_routine("worker-c"))

    def test_a_routine_already_claimed_is_not_claimed_again(self):
        routine = enqueue_routine()
        Routine.objects.filter(pk=routine.pk).update(status=Routine.Status.RUNNING)
        self.assertIsNone(claim_next_routine("worker-b"))

    def test_only_the_owner_renews_the_lease(self):
        routine = enqueue_routine()
        claimed = claim_next_routine("worker-a")
        self.assertTrue(renew_lease(claimed, "worker-a"))
        self.assertFalse(renew_lease(routine, "worker-b"))


class RecoveryTests(TestCase):
    def running_routine(self, attempts, lease_offset_seconds):
        return Routine.objects.create(
            name="Sky trot #1",
            status=Routine.Status.RUNNING,
            attempts=attempts,
            claimed_by="worker-gone",
            started_at=timezone.now(),
            lease_expires_at=timezone.now() + timedelta(seconds=lease_offset_seconds),
        )

    def test_an_expired_first_attempt_goes_back_to_the_queue(self):
        routine = self.running_routine(attempts=1, lease_offset_seconds=-1)
        self.assertEqual(recover_expired_routines(), [(routine, Routine.Status.QUEUED)])
        routine.refresh_from_db()
        self.assertEqual(routine.status, Routine.Status.QUEUED)
        self.assertEqual((routine.claimed_by, routine.lease_expires_at), ("", None))
        self.assertEqual(claim_next_routine("worker-new").attempts, 2)

    def test_an_expired_second_attempt_fails_with_a_reason(self):
        routine = self.running_routine(attempts=2, lease_offset_seconds=-1)
        recover_expired_routines()
        routine.refresh_from_db()
        self.assertEqual(routine.status, Routine.Status.FAILED)
        self.assertEqual(routine.result, WORKER_STOPPED)
        self.assertIsNotNone(routine.finished_at)

    def test_a_live_lease_is_left_alone(self):
        routine = self.running_routine(attempts=1, lease_offset_seconds=30)
        self.assertEqual(recover_expired_routines(), [])
        routine.refresh_from_db()
        self.assertEqual(routine.status, Routine.Status.RUNNING)

    def test_nothing_stays_running_after_its_worker_died(self):
        for attempts in (0, 1, 2, 3):
            self.running_routine(attempts=attempts, lease_offset_seconds=-60)
        recover_expired_routines()
        self.assertFalse(Routine.objects.filter(status=Routine.Status.RUNNING).exists())


@fast_routines
class WorkloadTests(TestCase):
    def test_a_routine_can_succeed(self):
        enqueue_routine()
        with override_settings(ROUTINES_FAILURE_RATE=0):
            finished = perform_routine(claim_next_routine("worker-a"), "worker-a")
        self.assertEqual(finished.status, Routine.Status.SUCCEEDED)
        self.assertTrue(finished.result)
        self.assertIsNotNone(finished.duration_seconds)
        self.assertIsNone(finished.lease_expires_at)

    def test_a_routine_can_fail(self):
        enqueue_routine()
        with override_settings(ROUTINES_FAILURE_RATE=1):
            finished = perform_routine(claim_next_routine("worker-a"), "worker-a")
        self.assertEqual(finished.status, Routine.Status.FAILED)
        self.assertTrue(finished.result)

    @override_settings(ROUTINES_MIN_SECONDS=0.01, ROUTINES_MAX_SECONDS=0.01)
    def test_a_worker_stops_when_it_cannot_renew_its_lease(self):
        enqueue_routine()
        routine = claim_next_routine("worker-a")
        Routine.objects.filter(pk=routine.pk).update(claimed_by="worker-b")
        self.assertIsNone(perform_routine(routine, "worker-a"))
        routine.refresh_from_db()
        self.assertEqual((routine.status, routine.claimed_by), (Routine.Status.RUNNING, "worker-b"))

    def test_a_worker_that_lost_its_routine_does_not_overwrite_it(self):
        enqueue_routine()
        routine = claim_next_routine("worker-a")
        Routine.objects.filter(pk=routine.pk).update(status=Routine.Status.QUEUED, claimed_by="")
        self.assertIsNone(perform_routine(routine, "worker-a"))
        routine.refresh_from_db()
        self.assertEqual(routine.status, Routine.Status.QUEUED)
