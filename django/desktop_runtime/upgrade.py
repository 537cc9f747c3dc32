"""The database before a new version of the app migrates it: back up, restore on failure.

`desktop_serve --app-version X` runs this, so a shell in any language (the
Tauri shell does) gets the same safety by passing its version. The files and
their meaning are the ones `final/src/backup.ts` uses, so either side can pick
up where the other left off:

- `last-version.json`: `{"version": ..., "ranAt": ...}`, the version that last
  started Django on this app-data folder (written once the migrations are done);
- `pending-upgrade.json`: the upgrade under way and its backup, written before
  migrating and removed once the new version has started. A start that died
  halfway through the migrations leaves it, so the next attempt restores the
  true pre-update copy instead of backing up a half-migrated database;
- `backups/app-<previous version>-<UTC time>.sqlite3`: the copies, newest five kept.

The copies go through SQLite's online backup API: one whole, consistent file
even while part of the data still sits in the `-wal` file.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

BACKUPS_FOLDER = "backups"
VERSION_FILE = "last-version.json"
PENDING_UPGRADE_FILE = "pending-upgrade.json"
KEEP_BACKUPS = 5
BACKUP_NAME = re.compile(r"^app-(.+)-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z)\.sqlite3$")
UNSAFE_IN_NAME = re.compile(r"[^\w.+-]", re.ASCII)


class BackupFailed(Exception):
    """The copy could not be made: nothing was migrated."""


@dataclass(frozen=True)
class UpgradeBackup:
    previousVersion: str  # the JSON keys backup.ts reads and writes
    currentVersion: str
    database: str
    file: str


def iso_time(now: datetime) -> str:
    """JavaScript's toISOString(): UTC, milliseconds, a Z."""
    now = now.astimezone(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def write_json_atomically(file: Path, value: dict) -> None:
    """A crash leaves the old file or the new one, never half of one."""
    file.parent.mkdir(parents=True, exist_ok=True)
    partial = file.with_name(file.name + ".tmp")
    partial.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, file)


def last_run_version(app_data_dir: Path) -> str | None:
    try:
        recorded = json.loads((app_data_dir / VERSION_FILE).read_text(encoding="utf-8"))
        version = recorded.get("version")
    except (OSError, ValueError, AttributeError):
        return None
    return version if isinstance(version, str) else None


def record_run_version(app_data_dir: Path, version: str, now: datetime | None = None) -> None:
    """`version` started Django, its migrations done: the upgrade is over."""
    ran_at = iso_time(now or datetime.now(UTC))
    write_json_atomically(app_data_dir / VERSION_FILE, {"version": version, "ranAt": ran_at})
    (app_data_dir / PENDING_UPGRADE_FILE).unlink(missing_ok=True)


def pending_upgrade(app_data_dir: Path) -> UpgradeBackup | None:
    """The backup of an upgrade that has not finished, if its file is still there."""
    try:
        pending = json.loads((app_data_dir / PENDING_UPGRADE_FILE).read_text(encoding="utf-8"))
        backup = UpgradeBackup(**{key: pending[key] for key in UpgradeBackup.__dataclass_fields__})
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not all(isinstance(value, str) for value in asdict(backup).values()):
        return None
    return backup if Path(backup.file).is_file() else None


def copy_database(source: Path | str, target: Path | str) -> None:
    """SQLite's backup API: the target becomes a whole copy of the source."""
    origin = sqlite3.connect(source)
    try:
        copy = sqlite3.connect(target)
        try:
            origin.backup(copy)
        finally:
            copy.close()
    finally:
        origin.close()


def backup_before_migrations(
    app_data_dir: Path,
    database: Path,
    current_version: str,
    now: datetime | None = None,
    keep: int = KEEP_BACKUPS,
) -> UpgradeBackup | None:
    """Back the database up when `current_version` is not the version that last ran on it.

    None when there is nothing to protect: no database yet, or the same
    version as last time. While an earlier attempt's upgrade is pending, its
    backup is the one to restore, and no new copy is taken.
    """
    if not database.is_file():
        return None
    previous_version = last_run_version(app_data_dir) or "unknown"
    if previous_version == current_version:
        return None
    pending = pending_upgrade(app_data_dir)
    if pending:
        return UpgradeBackup(
            pending.previousVersion, current_version, pending.database, pending.file
        )

    folder = app_data_dir / BACKUPS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    stamp = iso_time(now or datetime.now(UTC)).replace(":", "-")
    file = folder / f"app-{UNSAFE_IN_NAME.sub('_', previous_version)}-{stamp}.sqlite3"
    partial = file.with_name(file.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        copy_database(database, partial)
    except (OSError, sqlite3.Error) as error:
        partial.unlink(missing_ok=True)
        what_to_do = (
            "It is not a readable SQLite database: restore it from backups/ by hand."
            if isinstance(error, sqlite3.DatabaseError)
            else "Check that the disk is not full and the folder is writable, then start again."
        )
        raise BackupFailed(
            f"could not back up {database} before version {current_version} migrates it, "
            f"so nothing was migrated ({error}). {what_to_do}"
        ) from error
    os.replace(partial, file)
    prune_backups(folder, keep)
    backup = UpgradeBackup(previous_version, current_version, str(database), str(file))
    write_json_atomically(app_data_dir / PENDING_UPGRADE_FILE, asdict(backup))
    return backup


def describe_backup(backup: UpgradeBackup) -> str:
    return (
        f"backed up {backup.database} (last run by version {backup.previousVersion}) to "
        f"{backup.file} before version {backup.currentVersion} migrates it"
    )


def restore_backup(backup: UpgradeBackup) -> str:
    """Puts the copy back over the database (no connection may be open) and says so."""
    try:
        copy_database(backup.file, backup.database)
    except (OSError, sqlite3.Error) as error:
        return (
            f"putting the backup back failed too ({error}). The data of version "
            f"{backup.previousVersion} is safe in {backup.file}: with the app closed, delete "
            f"{backup.database}-wal and {backup.database}-shm, copy the backup over "
            f"{backup.database}, and reinstall version {backup.previousVersion}"
        )
    return (
        f"the database was put back from {backup.file}, the copy taken before the update: "
        f"reinstall version {backup.previousVersion} to keep working"
    )


def prune_backups(folder: Path, keep: int) -> None:
    """Deletes all but the newest `keep` copies made here; other files stay."""
    ours = sorted(
        ((match[2], path) for path in folder.iterdir() if (match := BACKUP_NAME.match(path.name))),
        reverse=True,
    )
    for _, old in ours[keep:]:
        old.unlink(missing_ok=True)
