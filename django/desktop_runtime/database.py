"""Database preparation at start: an integrity check, pending migrations and first-run seeding."""

import importlib
import pkgutil
import sqlite3
from contextlib import closing
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction


# region integrity-check
class DatabaseCorrupt(Exception):
    """The SQLite file failed PRAGMA quick_check: serving it would fail page by page."""

    def __init__(self, database: Path, backups: Path, problem: str):
        self.database = database
        self.backups = backups
        super().__init__(
            f"the database {database} is damaged ({problem}). Nothing in it was changed. "
            f"Quit the app, then put a backup from {backups} in its place, or move the file "
            f"away to start with an empty database."
        )


def check_database_integrity() -> None:
    """Raise DatabaseCorrupt if the SQLite database file is damaged; write nothing.

    PRAGMA quick_check reads every page and checks the structure of every
    table and index (not that an index holds the same values as its table,
    which the full integrity_check does at several times the cost). The file
    is opened read-only, so a damaged database is left exactly as it was for
    the user to restore or rescue. Other databases, and a SQLite file that
    does not exist yet, are not checked.
    """
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or not Path(name).is_file():
        return
    database = Path(name)
    data_dir = getattr(settings, "DESKTOP_DJANGO_APP_DATA_DIR", None)
    backups = (Path(data_dir) if data_dir else database.parent) / "backups"
    # Read-only. Without a write-ahead log beside it, also "immutable": SQLite
    # then creates no -wal or -shm file next to it either.
    wal = database.with_name(database.name + "-wal")
    uri = f"{database.as_uri()}?mode=ro" + ("" if wal.exists() else "&immutable=1")
    try:
        with closing(sqlite3.connect(uri, uri=True, timeout=20)) as db:
            report = "\n".join(row[0] for row in db.execute("PRAGMA quick_check(3)"))
    except sqlite3.OperationalError:
        raise  # locked, unreadable: not a damaged file, and the usual start says so
    except sqlite3.DatabaseError as error:  # "file is not a database", "malformed"
        raise DatabaseCorrupt(database, backups, str(error)) from error
    if report != "ok":
        problems = [line for line in report.splitlines() if not line.startswith("***")]
        raise DatabaseCorrupt(database, backups, "; ".join(problems))


# endregion integrity-check


# region pending-migrations
def apply_pending_migrations() -> None:
    """Migrate the database if needed.

    On the usual start every migration file is already recorded as applied,
    and comparing two lists of names is enough: Django's migration loader,
    which imports every migration and builds their graph, is only asked when
    something differs (a new migration, a squash, a brand-new database).
    Raises DatabaseFromNewerVersion, before touching anything, when the
    database has migrations applied that this code does not have.
    """
    applied = recorded_migrations()
    files = migration_files()
    if applied is not None:
        refuse_unknown_migrations(applied, files)
        if files <= applied:
            return

    from django.db.migrations.executor import MigrationExecutor

    from .startup import resume_gc

    resume_gc()  # a data migration may allocate a lot: collect as usual
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)


# endregion pending-migrations


class DatabaseFromNewerVersion(Exception):
    """A newer version of the app migrated this database: this code must not serve it."""

    def __init__(self, unknown: set[tuple[str, str]]):
        self.unknown = sorted(unknown)
        names = ", ".join(f"{app}.{name}" for app, name in self.unknown)
        super().__init__(
            f"the database was last used by a newer version of the app: "
            f"it has migrations this version does not know ({names})"
        )


def refuse_unknown_migrations(applied: set[tuple[str, str]], files: set[tuple[str, str]]) -> None:
    """Raise DatabaseFromNewerVersion if an installed app has an applied migration with no file.

    An older version of the app started on a newer version's database would
    otherwise serve it without a word, against tables it does not expect.
    Records of apps that are no longer installed are left alone, and so are
    the migrations a squashed migration on disk replaces.
    """
    installed = {app_config.label for app_config in apps.get_app_configs()}
    unknown = {migration for migration in applied - files if migration[0] in installed}
    if not unknown:
        return
    from django.db.migrations.loader import MigrationLoader

    for migration in MigrationLoader(None, ignore_no_migrations=True).disk_migrations.values():
        unknown.difference_update(migration.replaces)
    if unknown:
        raise DatabaseFromNewerVersion(unknown)


def recorded_migrations() -> set[tuple[str, str]] | None:
    """The (app label, migration name) pairs recorded as applied; None if never migrated."""
    if "django_migrations" not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        return set(cursor.fetchall())


def migration_files() -> set[tuple[str, str]]:
    """The (app label, migration name) pairs on disk, named the way Django's loader names them."""
    found = set()
    for app_config in apps.get_app_configs():
        module_name = settings.MIGRATION_MODULES.get(
            app_config.label, f"{app_config.name}.migrations"
        )
        if module_name is None:  # migrations switched off for this app
            continue
        try:
            package = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue  # an app without migrations
        for module in pkgutil.iter_modules(getattr(package, "__path__", [])):
            if not module.name.startswith(("_", "~")):
                found.add((app_config.label, module.name))
    return found


def seed_if_never_seeded() -> bool:
    """Give the database its starter data once in its lifetime; True if it did now.

    Any installed app can take part by defining `desktop_seed_new_database()`
    on its AppConfig. The seeding marker (desktop_runtime.models.Seeding) is
    written in the same transaction, so a later start never seeds again, even
    if the user deleted everything it created; a database migrated by hand
    before its first desktop_serve has no marker yet and is seeded.
    """
    from .models import Seeding

    # The usual start only reads; the write lock is taken when there is seeding to do.
    if Seeding.objects.exists():
        return False
    with transaction.atomic():
        if Seeding.objects.exists():
            return False
        for app_config in apps.get_app_configs():
            seed = getattr(app_config, "desktop_seed_new_database", None)
            if callable(seed):
                seed()
        Seeding.objects.create()
    return True


def worker_commands() -> list[str]:
    """Management commands the shell should run beside the server, one process each.

    Declared by installed apps as `desktop_worker_command` on their AppConfig.
    """
    return [
        app_config.desktop_worker_command
        for app_config in apps.get_app_configs()
        if getattr(app_config, "desktop_worker_command", None)
    ]
