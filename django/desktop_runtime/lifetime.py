"""The lifetime rule: a backend process never outlives its desktop shell.

The shell starts each backend process with stdin connected to a pipe and
never writes to it. However the shell ends (quit, crash, SIGKILL, Task
Manager), the operating system closes its end of the pipe, our read returns
end-of-file, and the process exits. This works the same on every OS, needs no
signals, and catches the deaths no shell-side cleanup code can see.
"""

import contextlib
import os
import stat
import sys
import threading

WATCHER_NAME = "stdin-eof-watcher"
# Set by the shell on the process of each worker it starts: the worker's command.
WORKER_VARIABLE = "DESKTOP_DJANGO_WORKER"


def exit_when_stdin_closes() -> bool:
    """Start a daemon thread that ends the process when stdin reaches EOF.

    manage.py calls it before Django loads; desktop_serve calls it again for
    projects whose manage.py does not, and a second call starts nothing new.
    Returns False, watching nothing, when stdin is not a pipe: in a terminal
    or with stdin from /dev/null nobody is holding the other end, so stop the
    process with Ctrl+C instead.
    """
    if any(thread.name == WATCHER_NAME for thread in threading.enumerate()):
        return True
    stream = sys.stdin
    if stream is None or stream.closed:
        return False
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError):
        return False
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
        return False
    watcher = threading.Thread(
        target=_exit_at_eof, args=(stream.fileno(),), name=WATCHER_NAME, daemon=True
    )
    watcher.start()
    return True


def watch_stdin_before_django_loads(argv: list[str]) -> None:
    """For manage.py: start the watcher at once when the command is desktop_serve or a worker.

    Loading Django (settings, every app's models) can take seconds on a cold
    disk; a shell that dies meanwhile must not be outlived that long. A
    worker is known before Django loads because the shell names it: it
    starts each `desktop_worker_command` with DESKTOP_DJANGO_WORKER set to
    that command, and any other command (a `manage.py shell` that reads its
    script from stdin) is left alone.

    The parent process of `desktop_serve --reload` only restarts its child
    and waits for it; the child (RUN_MAIN=true, set by Django's reloader)
    watches, so the parent never exits while its child is still running.
    """
    command = argv[1] if len(argv) > 1 else None
    if command == "desktop_serve":
        if "--reload" in argv and os.environ.get("RUN_MAIN") != "true":
            return
        exit_when_stdin_closes()
    elif command and os.environ.get(WORKER_VARIABLE) == command:
        exit_when_stdin_closes()


def _exit_at_eof(descriptor: int) -> None:
    # os.read on the raw descriptor, not sys.stdin.buffer: a daemon thread
    # blocked inside the buffered reader holds its lock, and Python aborts at
    # exit when another path ends the process (sys.exit with an error code).
    try:
        while os.read(descriptor, 4096):
            pass
    except (OSError, ValueError):
        pass
    for output in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            output.flush()
    # os._exit, not sys.exit: end every thread now, including a server loop
    # or a routine in the middle of its work.
    os._exit(0)
