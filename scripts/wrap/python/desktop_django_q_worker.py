"""`manage.py desktop_django_q_worker`: the project's django-q2 tasks, run by the desktop shell.

Written by desktop-django-starter's `npm run wrap`; yours to edit.

desktop_settings/apps.py declares it as the app's desktop_worker_command, so
the shell starts it once Django answers and stops it with the app. It ends
within a moment of its stdin closing (the shell is gone, however it died).

django-q2's qcluster starts a tree of processes that would outlive a shell
killed outright, so this command runs the same steps in one process instead:
django-q2's own worker() and monitor() take each task the ORM broker hands
out, run it and save its result, and the scheduler turns due schedules into
tasks. Tasks run one at a time, in the order they were queued.
"""

import queue
import time
from multiprocessing import Value

from django.core.management.base import BaseCommand

from desktop_runtime.lifetime import exit_when_stdin_closes

SCHEDULER_EVERY_SECONDS = 30


class Command(BaseCommand):
    help = "Run the project's django-q2 tasks until stdin closes (or Ctrl+C)."
    requires_system_checks = []

    def handle(self, *args, **options):
        from django_q.brokers import get_broker
        from django_q.conf import Conf
        from django_q.monitor import monitor
        from django_q.scheduler import scheduler
        from django_q.signing import BadSignature, SignedPackage
        from django_q.worker import worker

        exit_when_stdin_closes()
        broker = get_broker()
        timer = Value("f", -1)
        self.stdout.write("desktop_django_q_worker: ready")
        self.stdout.flush()
        next_schedule = 0.0
        try:
            while True:
                if time.monotonic() >= next_schedule:
                    scheduler(broker=broker)
                    next_schedule = time.monotonic() + SCHEDULER_EVERY_SECONDS
                # The ORM broker waits Q_CLUSTER's poll interval when nothing is queued.
                for ack_id, payload in broker.dequeue() or []:
                    try:
                        task = SignedPackage.loads(payload)
                    except (TypeError, BadSignature):
                        broker.fail(ack_id)
                        continue
                    task.update(cluster=Conf.CLUSTER_NAME, ack_id=ack_id)
                    tasks, results = queue.Queue(), queue.Queue()
                    tasks.put(task)
                    tasks.put("STOP")
                    worker(tasks, results, timer)
                    results.put("STOP")
                    monitor(results, broker=broker)
        except KeyboardInterrupt:
            pass
