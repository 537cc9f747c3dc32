"""The app's log: everything this process prints also goes to logs/positron.log in app data.

Django, waitress and the worker all run in this process, so one log holds
them all. The failure page shows its last lines.
"""

import sys
from collections import deque
from pathlib import Path

# Started fresh when it grows past this, keeping one previous file.
MAX_BYTES = 1_000_000


class Tee:
    """A text stream that writes to the original stream and to the log file."""

    def __init__(self, original, log_file):
        self.original = original
        self.log_file = log_file

    def write(self, text: str) -> int:
        if self.original is not None:
            self.original.write(text)
        self.log_file.write(text)
        return len(text)

    def flush(self) -> None:
        if self.original is not None:
            self.original.flush()
        self.log_file.flush()

    def __getattr__(self, name):
        return getattr(self.original, name)


def capture_output(path: Path) -> Path:
    """Send stdout and stderr to `path` as well, from now on; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.stat().st_size > MAX_BYTES:
        path.replace(path.with_suffix(".previous.log"))
    log_file = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 (open for the app's life)
    sys.stdout = Tee(sys.stdout, log_file)
    sys.stderr = Tee(sys.stderr, log_file)
    return path


def last_lines(path: Path, count: int = 30) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as lines:
            return [line.rstrip("\n") for line in deque(lines, count)]
    except OSError:
        return []
