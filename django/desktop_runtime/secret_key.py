"""The per-user secret key of a packaged app.

Every installation gets its own key, generated on first run and stored in the
app-data folder, readable by the user alone. Nothing secret ships in the
bundle and the shell passes no key.
"""

import contextlib
import os
import secrets
from pathlib import Path


def load_or_create_secret_key(path: Path) -> str:
    """Return the key stored at `path`, creating it first if needed."""
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    # Write the whole key to a private temporary file, then link it into
    # place: a process that starts at the same moment either wins the link or
    # reads the complete key of the one that did, never a half-written file.
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as key_file:
            key_file.write(secrets.token_urlsafe(50))
        # os.open's mode is filtered by the umask; say 0600 explicitly. On
        # Windows this is a no-op and the per-user folder keeps others out.
        os.chmod(temporary, 0o600)
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return _read_key(path)


def _read_key(path: Path) -> str:
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise ValueError(f"{path} is empty: delete it and the app will create a new key.")
    return key
