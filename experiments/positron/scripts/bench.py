"""Start time and memory of the Positron shell next to the backend the other shells start.

    experiments/positron/.venv/bin/python experiments/positron/scripts/bench.py [--runs 7]

Interleaved rounds, in a new random order each round, each on an existing
database (a first launch per variant migrates and seeds, and is not counted):

  positron     `python -m flying_stable_positron` on one Xvfb screen started
               beforehand: launch to Django serving in-process, and to the
               pony list loaded in the window (the test hook's events);
               memory: resident set of the app's process plus the WebKitGTK
               processes it started, once the pony list is loaded
  subprocess   `manage.py desktop_serve`, as Electron and Tauri start it:
               launch to the first 200 from /health/; memory: its resident
               set plus the `run_routines` worker's, one second after it starts

Prints medians with the lowest and highest run. It reports; it never fails
because a machine is slow.
"""

import argparse
import json
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

POSITRON = Path(__file__).resolve().parent.parent
REPO = POSITRON.parent.parent
DJANGO = REPO / "django"
DJANGO_PYTHON = DJANGO / ".venv" / "bin" / "python"


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        children = Path(f"/proc/{parent}/task/{parent}/children")
        try:
            kids = [int(child) for child in children.read_text().split()]
        except OSError:
            kids = []
        found += kids
        todo += kids
    return found


def positron_once(display: str, home: Path) -> dict:
    environment = {
        **os.environ,
        "DISPLAY": display,
        "HOME": str(home),
        "DDS_POSITRON_TEST_HOOK": "1",
        "WEBKIT_DISABLE_COMPOSITING_MODE": "1",
    }
    started = time.perf_counter()
    app = subprocess.Popen(
        [sys.executable, "-m", "flying_stable_positron"],
        cwd=POSITRON / "src",
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    serving = origin = None
    for line in app.stdout:
        if not line.startswith("POSITRON_TEST "):
            continue
        event = json.loads(line.split(" ", 1)[1])
        if event["event"] == "serving":
            serving, origin = time.perf_counter() - started, event["origin"]
        if event["event"] == "loaded" and origin and event.get("url") == f"{origin}/":
            page = time.perf_counter() - started
            break
    time.sleep(1)  # let the page settle before reading memory
    own = rss_kib(app.pid)
    memory = own + sum(rss_kib(child) for child in descendants(app.pid))
    app.stdin.write(json.dumps({"id": 1, "close": True}) + "\n")
    app.stdin.flush()
    app.wait(timeout=30)
    return {"serving": serving, "page": page, "memory": memory / 1024, "own": own / 1024}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def subprocess_once(app_data: Path) -> dict:
    token, port = secrets.token_urlsafe(32), free_port()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "desktop_django_starter.settings.dev",
        "DESKTOP_DJANGO_HOST": "127.0.0.1",
        "DESKTOP_DJANGO_PORT": str(port),
        "DESKTOP_DJANGO_AUTH_TOKEN": token,
        "DESKTOP_DJANGO_APP_DATA_DIR": str(app_data),
    }
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(DJANGO_PYTHON), "manage.py", "desktop_serve"],
        cwd=DJANGO,
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/health/", headers={"X-Desktop-Django-Token": token}
    )
    while True:
        try:
            with urllib.request.urlopen(request, timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.005)
    serving = time.perf_counter() - started
    worker = subprocess.Popen(
        [str(DJANGO_PYTHON), "manage.py", "run_routines"],
        cwd=DJANGO,
        env=environment,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1)
    memory = rss_kib(server.pid) + rss_kib(worker.pid)
    for process in (worker, server):
        process.stdin.close()  # the lifetime rule: EOF on stdin ends them
        process.wait(timeout=10)
    return {"serving": serving, "memory": memory / 1024}


def summary(values: list[float], unit: str, digits: int) -> str:
    def shown(value: float) -> str:
        return f"{value:.{digits}f}"

    spread = f"runs {shown(min(values))} to {shown(max(values))}"
    return f"{shown(statistics.median(values))} {unit} ({spread})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    if not shutil.which("Xvfb"):
        sys.exit("Cannot measure: Xvfb is missing (run .ci/positron-deps.sh).")
    display = ":97"
    screen = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "1280x900x24", "-nolisten", "tcp"],
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            home, app_data = Path(scratch) / "home", Path(scratch) / "subprocess-data"
            home.mkdir()
            positron_once(display, home)  # first launch: migrate and seed, not counted
            subprocess_once(app_data)
            results = {"positron": [], "subprocess": []}
            for round_number in range(runs):
                order = list(results)
                random.shuffle(order)
                for variant in order:
                    result = (
                        positron_once(display, home)
                        if variant == "positron"
                        else subprocess_once(app_data)
                    )
                    results[variant].append(result)
                print(f"round {round_number + 1}/{runs}", file=sys.stderr, flush=True)
    finally:
        screen.terminate()
    load = os.getloadavg()
    print(
        f"{runs} interleaved rounds; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
        f" on {os.cpu_count()} cores"
    )
    positron, backend = results["positron"], results["subprocess"]
    print("positron   launch to Django serving:", summary([r["serving"] for r in positron], "s", 2))
    print("positron   launch to pony list loaded:", summary([r["page"] for r in positron], "s", 2))
    print(
        "positron   memory of the app's process (Python, GTK, Django, worker):",
        summary([r["own"] for r in positron], "MiB", 0),
    )
    print(
        "positron   memory (app + WebKitGTK processes):",
        summary([r["memory"] for r in positron], "MiB", 0),
    )
    print("subprocess launch to /health/ 200:", summary([r["serving"] for r in backend], "s", 2))
    print(
        "subprocess memory (desktop_serve + run_routines):",
        summary([r["memory"] for r in backend], "MiB", 0),
    )


if __name__ == "__main__":
    main()
