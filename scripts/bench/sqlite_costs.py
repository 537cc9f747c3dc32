"""What two SQLite choices of the runtime cost, on the demo's database at 50,000 ponies.

1. The integrity check desktop_serve runs at every start
   (desktop_runtime.database.check_database_integrity, PRAGMA quick_check).
2. One write (a pony saved through the ORM, one transaction) with
   `synchronous=FULL`, the setting in base.py, which survives an OS crash or
   power loss, against `synchronous=NORMAL`, which survives a crash of the app.

Rounds are interleaved (NORMAL, FULL, NORMAL, ...), so a busy moment on the
machine hits both alike. Prints medians with the interquartile range.

Usage: django/.venv/bin/python scripts/bench/sqlite_costs.py [--ponies N] [--rounds N]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

DJANGO_DIR = Path(__file__).resolve().parents[2] / "django"


def spread(samples: list[float]) -> str:
    quartiles = statistics.quantiles(samples, n=4)
    return f"median {statistics.median(samples):.2f} ms (IQR {quartiles[0]:.2f}-{quartiles[2]:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ponies", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument(
        "--writes", type=int, default=20, help="writes per round and setting"
    )
    options = parser.parse_args()

    app_data = tempfile.mkdtemp(prefix="dds-sqlite-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "desktop_django_starter.settings.dev"
    os.environ["DESKTOP_DJANGO_APP_DATA_DIR"] = app_data
    sys.path.insert(0, str(DJANGO_DIR))
    import django

    django.setup()
    from desktop_runtime.database import check_database_integrity
    from django.core.management import call_command
    from django.db import connection
    from example_app.models import Item

    call_command("migrate", verbosity=0)
    statuses = list(Item.Status.values)
    Item.objects.bulk_create(
        (
            Item(
                title=f"Bench pony {n}",
                notes=f"Pony number {n}: likes hay, clover and long gallops at dawn.",
                status=statuses[n % 3],
            )
            for n in range(options.ponies)
        ),
        batch_size=2000,
    )
    database = Path(connection.settings_dict["NAME"])
    connection.close()  # checkpoints the WAL into the file, as a quit app leaves it
    size_mb = database.stat().st_size / 1e6
    print(f"Database: {options.ponies:,} ponies, {size_mb:.1f} MB ({database})\n")

    checks = []
    for _ in range(options.rounds):
        started = time.perf_counter()
        check_database_integrity()
        checks.append((time.perf_counter() - started) * 1000)
    print(f"PRAGMA quick_check at start, {options.rounds} runs (file in the OS cache):")
    print(f"  {spread(checks)}\n")

    per_write = {"NORMAL": [], "FULL": []}
    for _ in range(options.rounds):
        for mode in ("NORMAL", "FULL"):
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous={mode}")
            started = time.perf_counter()
            for n in range(options.writes):
                Item.objects.create(
                    title=f"Timed pony {n}", notes="", status=statuses[0]
                )
            per_write[mode].append(
                (time.perf_counter() - started) * 1000 / options.writes
            )
    normal, full = (statistics.median(per_write[mode]) for mode in ("NORMAL", "FULL"))
    print(
        f"One pony saved (one transaction, WAL), {options.rounds} interleaved rounds "
        f"of {options.writes} writes:"
    )
    for mode in ("NORMAL", "FULL"):
        print(f"  synchronous={mode:<7} {spread(per_write[mode])}")
    print(
        f"  FULL costs {full - normal:+.2f} ms per write ({full / normal:.2f}x NORMAL)"
    )
    connection.close()
    shutil.rmtree(app_data)


if __name__ == "__main__":
    main()
