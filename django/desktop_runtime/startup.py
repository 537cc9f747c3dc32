"""A faster desktop_serve start: Python's cycle collector waits until it serves.

Starting Django allocates some fifty thousand long-lived objects (modules,
classes, settings, URL patterns). While it does, Python's cycle collector
runs again and again and finds almost nothing to free: about 30 ms of a
400 ms start on the reference machine (`npm run bench` prints it). manage.py
pauses the collector for `desktop_serve` before Django loads; desktop_serve
resumes it once it is bound, and first moves everything made during the
start out of the collector's sight for good (gc.freeze), so later
collections do not walk it either. The few hundred cycles the start leaves
behind (under half a megabyte) are kept.

A start that has migrations to apply resumes the collector first: a data
migration may allocate a lot.
"""

import gc
import os

_paused = False


# region pause
def pause_gc_until_serving(argv: list[str]) -> None:
    """For manage.py: pause the cycle collector when the command is `desktop_serve`.

    Under `--reload`, only in the child that serves (Django's reloader sets
    RUN_MAIN=true in it): the first process only restarts the server and never
    serves, so nothing would resume the collector there. The child resumes it
    once bound, or when it shows the error page instead (devloop.py).
    """
    if argv[1:2] != ["desktop_serve"]:
        return
    if "--reload" not in argv[2:] or os.environ.get("RUN_MAIN") == "true":
        pause_gc()


def pause_gc() -> None:
    """Pause the cycle collector until resume_gc(); nothing if it is already off."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_gc() -> None:
    """Resume the collector if pause_gc paused it, after freezing what the start made."""
    global _paused
    if not _paused:
        return
    gc.freeze()
    gc.enable()
    _paused = False


# endregion pause
