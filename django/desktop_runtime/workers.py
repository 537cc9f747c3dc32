"""What the shell says about the workers it supervises.

The Electron shell (final/) starts each `desktop_worker_command` as a process of
its own and restarts it after a crash (the Tauri shell starts it but does not
restart it; Positron runs the demo's worker in its own process). final/ writes
each worker's state to
`<app data>/worker-status/<command>.json` (final/src/worker.ts): "running",
"restarting" after a crash, or "stopped" once it has given up until the app
restarts, with the worker's last lines. A page reads it here to tell the user
why queued work waits. Without a shell (runserver, tests) there is no file.
"""

import json
from pathlib import Path

from django.conf import settings

STATUS_FOLDER = "worker-status"


def worker_status_file(command: str) -> Path | None:
    app_data_dir = getattr(settings, "DESKTOP_DJANGO_APP_DATA_DIR", None)
    return Path(app_data_dir) / STATUS_FOLDER / f"{command}.json" if app_data_dir else None


def worker_status(command: str) -> dict | None:
    """The shell's last word on `command`, or None when there is none (or it cannot be read)."""
    path = worker_status_file(command)
    if path is None:
        return None
    try:
        status = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return status if isinstance(status, dict) and isinstance(status.get("state"), str) else None


def worker_state(command: str) -> str:
    """ "running", "restarting" or "stopped"; "running" when the shell has said nothing."""
    status = worker_status(command)
    return status["state"] if status else "running"
