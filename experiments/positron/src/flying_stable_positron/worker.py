"""The Stable Routines worker on a thread of this process, as `manage.py run_routines` runs it.

The same steps as the worker process the other shells start: take the
worker lock beside the database, queue again (or fail) the routines a dead
worker left running, then run django-tasks-db's own worker loop. The loop is
django-tasks-db's `Worker` itself; its management command is not used
because it installs signal handlers, which only the main thread may do.

Stopping asks the loop to end after the routine it is running. A routine
still running when the app exits dies with the process, exactly as when a
worker process is killed: the next start finds it RUNNING and queues it again.
"""

import threading

WORKER_THREAD = "positron-routines-worker"


def wants_routines_worker() -> bool:
    """True when an installed app declares the routines worker (the demo's Stable Routines)."""
    from desktop_runtime.database import worker_commands

    return "run_routines" in worker_commands()


class RoutinesWorker:
    def __init__(self, say=print):
        self.say = say
        self.worker = None
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self.run, name=WORKER_THREAD, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def run(self) -> None:
        from django.conf import settings
        from django.db import connections
        from django_tasks_db.management.commands.db_worker import Worker

        from routines.recovery import hold_worker_lock, recover_orphaned_tasks, worker_id

        me = worker_id()
        lock = hold_worker_lock(on_wait=lambda: self.say(f"{me} waits for the running worker"))
        try:
            for task_id, status in recover_orphaned_tasks():
                self.say(f"task {task_id} lost its worker; now {status}")
            self.worker = Worker(
                queue_names=["default"],
                interval=settings.ROUTINES_POLL_SECONDS,
                batch=False,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=me,
                excluded_queue_names=[],
            )
            self.say(f"{me} ready (thread)")
            self.ready.set()
            self.worker.run()
        finally:
            lock.close()
            connections.close_all()

    def stop(self, timeout: float = 2.0) -> bool:
        """Ask the loop to end and wait up to `timeout`; True if the thread ended."""
        if self.worker is not None:
            self.worker.running = False
        if not self.thread.is_alive():
            return True
        self.thread.join(timeout)
        return not self.thread.is_alive()
