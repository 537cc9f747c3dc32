/**
 * What the wrap writes for a project shaped like real ones, run for real in a
 * virtualenv with the project's own packages (Django, huey): manage.py names
 * no settings (the wrap gets --settings), SECRET_KEY is read from the
 * environment with `or None`, huey is configured for Redis, a log file and a
 * file storage sit under BASE_DIR, and the project's tests need their own test
 * settings. The desktop settings must load, move what is written into the
 * app-data folder, and run a huey task in the worker the wrap wrote, which
 * ends within 2 s of its stdin closing.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../scripts/chapters.ts";
import { venvBin } from "../scripts/python-env.ts";

const TEN_MINUTES = 600_000;
const work = mkdtempSync(path.join(tmpdir(), "dds-wrap-queues-"));
const target = path.join(work, "kitchen");
afterAll(() => rmSync(work, { recursive: true, force: true }), TEN_MINUTES);

const FILES: Record<string, string> = {
  "manage.py": "#!/usr/bin/env python\nimport sys\n\nif __name__ == '__main__':\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n",
  "kitchen/__init__.py": "",
  "kitchen/settings.py": [
    "import os",
    "from pathlib import Path",
    "BASE_DIR = Path(__file__).resolve().parent.parent",
    'SECRET_KEY = os.environ.get("KITCHEN_SECRET_KEY") or None',
    "DEBUG = False",
    'ALLOWED_HOSTS = ["kitchen.example"]',
    'INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions", "django.contrib.staticfiles", "huey.contrib.djhuey", "jobs"]',
    'MIDDLEWARE = ["django.middleware.security.SecurityMiddleware", "django.contrib.sessions.middleware.SessionMiddleware", "django.middleware.common.CommonMiddleware"]',
    'ROOT_URLCONF = "kitchen.urls"',
    'DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "kitchen"}}',
    'STATIC_URL = os.path.join("/", "assets/")',
    'HUEY = {"name": "kitchen", "connection": {"host": "redis.internal", "port": 6379}, "consumer": {"workers": 4, "worker_type": "process"}}',
    'EXPORTS_DIR = BASE_DIR / "exports"',
    'STORAGES = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": BASE_DIR / "uploads"}}, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}',
    'LOGGING = {"version": 1, "handlers": {"file": {"class": "logging.FileHandler", "filename": BASE_DIR / "logs" / "kitchen.log"}}, "root": {"handlers": ["file"]}}',
    'DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"',
    "",
  ].join("\n"),
  "kitchen/test_settings.py": 'from .settings import *  # noqa\nKITCHEN_TESTING = True\nHUEY = {"immediate": True}\n',
  "kitchen/urls.py": "urlpatterns = []\n",
  // A cold disk in miniature: a test makes this app slow to import.
  "jobs/__init__.py": 'import os\nimport time\n\ntime.sleep(float(os.environ.get("KITCHEN_IMPORT_SECONDS") or 0))\n',
  "jobs/tasks.py": "from pathlib import Path\n\nfrom huey.contrib.djhuey import task\n\n\n@task()\ndef write_marker(path):\n    Path(path).write_text('cooked')\n",
  "jobs/tests.py":
    "from django.conf import settings\nfrom django.test import SimpleTestCase\n\n\nclass KitchenTests(SimpleTestCase):\n    def test_runs_on_its_test_settings(self):\n        self.assertTrue(settings.KITCHEN_TESTING)\n",
  "pytest.ini": "[pytest]\nDJANGO_SETTINGS_MODULE = kitchen.test_settings\n",
  "requirements.txt": "--index-url https://pypi.org/simple\nDjango==6.1.3\nhuey==3.5.4\nredis==7.0.1\ngunicorn==23.0.0\npsycopg[binary]==3.2.12\n",
};

function run(args: string[], env: Record<string, string> = {}, root = target) {
  const interpreter = path.join(root, ".venv", process.platform === "win32" ? "Scripts/python.exe" : "bin/python");
  return spawnSync(interpreter, args, { cwd: root, encoding: "utf8", env: { ...process.env, ...env } });
}

/** Writes `files` into `root`, gives it a virtualenv with `packages`, wraps it with `wrapArgs`, and installs the desktop requirements. */
function wrappedProject(root: string, files: Record<string, string>, packages: string[], wrapArgs: string[]): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  const base = spawnSync(venvBin("python"), ["-c", "import sys; print(sys._base_executable)"], { encoding: "utf8" }).stdout.trim();
  expect(spawnSync(base, ["-m", "venv", path.join(root, ".venv")]).status).toBe(0);
  // The project's own environment: what its developer has installed.
  const installed = run(["-m", "pip", "install", "--disable-pip-version-check", "-q", ...packages], {}, root);
  expect(installed.status, installed.stderr).toBe(0);
  const wrapped = spawnSync(process.execPath, ["--import", "tsx", path.join(repoRoot, "scripts", "wrap.ts"), root, ...wrapArgs, "--force"], { cwd: repoRoot, encoding: "utf8" });
  expect(wrapped.status, wrapped.stdout + wrapped.stderr).toBe(0);
  const desktopRequirements = run(["-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", "desktop/requirements-desktop.txt"], {}, root);
  expect(desktopRequirements.status, desktopRequirements.stderr).toBe(0);
}

/**
 * Starts `manage.py <command>` with stdin a pipe, waits until `ready(output)` holds (at most 30 s),
 * closes stdin: the exit code (or "still running" 2 s later) and how long the exit took after EOF.
 */
async function runWorkerUntil(root: string, command: string, env: Record<string, string>, ready: (output: string) => boolean): Promise<{ code: number | null | "still running"; afterEof: number; output: string }> {
  const interpreter = path.join(root, ".venv", process.platform === "win32" ? "Scripts/python.exe" : "bin/python");
  const worker = spawn(interpreter, ["manage.py", command], { cwd: root, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  worker.stdout.on("data", (chunk) => (output += String(chunk)));
  worker.stderr.on("data", (chunk) => (output += String(chunk)));
  const exited = new Promise<number | null>((resolve) => worker.on("exit", (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!ready(output) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const closedAt = Date.now();
  worker.stdin.end();
  const code = await Promise.race([exited, new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 2000))]);
  const afterEof = Date.now() - closedAt;
  if (code === "still running") worker.kill("SIGKILL");
  return { code, afterEof, output };
}

beforeAll(() => wrappedProject(target, FILES, ["Django==6.1.3", "huey==3.5.4", "redis==7.0.1"], ["--settings", "kitchen.settings"]), TEN_MINUTES);

describe("a wrapped project with huey, an environment-only secret key and its own test settings", () => {
  const appData = path.join(work, "app-data");
  const dev = { DJANGO_SETTINGS_MODULE: "desktop_settings.dev", DESKTOP_DJANGO_APP_DATA_DIR: appData };
  const ask = (code: string) => {
    const asked = run(["manage.py", "shell", "-c", code], dev);
    expect(asked.status, asked.stderr).toBe(0);
    return asked.stdout.trim().split("\n").at(-1)!;
  };

  it("the dry run reports the static and media paths as Django resolves them", () => {
    const dry = spawnSync(process.execPath, ["--import", "tsx", path.join(repoRoot, "scripts", "wrap.ts"), target, "--settings", "kitchen.settings", "--dry-run"], { cwd: repoRoot, encoding: "utf8" });
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout, dry.stdout).toContain("static files and uploads, as Django resolves them: STATIC_URL /assets/, STATIC_ROOT (not set), MEDIA_URL /, MEDIA_ROOT (empty)");
  });

  it("requirements-desktop.txt: pinned, without the index line, gunicorn or the database driver", () => {
    const requirements = readFileSync(path.join(target, "desktop", "requirements-desktop.txt"), "utf8");
    expect(requirements).not.toMatch(/index-url/);
    expect(requirements).toMatch(/^huey==3\.5\.4$/m);
    expect(requirements).toMatch(/^asgiref==[\d.]+$/m);
    expect(requirements).not.toMatch(/^(gunicorn|psycopg)/m);
  });

  it("loads with a development secret key, and moves what the settings write into the app-data folder", () => {
    const values = JSON.parse(
      ask(
        "import json; from django.conf import settings as s; print(json.dumps([s.SECRET_KEY, str(s.EXPORTS_DIR), str(s.STORAGES['default']['OPTIONS']['location']), str(s.LOGGING['handlers']['file']['filename']), s.HUEY['filename'], s.HUEY['huey_class'], s.HUEY.get('connection')]))",
      ),
    ) as string[];
    expect(values[0]).toMatch(/^desktop-development-only/);
    expect(values.slice(1, 5)).toEqual([path.join(appData, "exports"), path.join(appData, "uploads"), path.join(appData, "logs", "kitchen.log"), path.join(appData, "huey.sqlite3")]);
    expect(values[5]).toBe("huey.SqliteHuey");
    expect(values[6]).toBeNull();
    expect(ask("from desktop_runtime.database import worker_commands; print(worker_commands())")).toBe("['desktop_huey_worker']");
  });

  it("the project's tests pass on desktop_settings.test, which layers the desktop contract on its own test settings", () => {
    const tests = run(["manage.py", "test", "--noinput"], { DJANGO_SETTINGS_MODULE: "desktop_settings.test" });
    expect(tests.status, tests.stdout + tests.stderr).toBe(0);
    expect(readFileSync(path.join(target, "desktop_settings", "test.py"), "utf8")).toContain("from kitchen.test_settings import *");
  });

  it("a huey task enqueued runs in the worker the wrap wrote, which ends within 2 s of stdin closing", async () => {
    const marker = path.join(work, "marker.txt");
    ask(`from jobs.tasks import write_marker; write_marker(${JSON.stringify(marker)})`);
    expect(existsSync(marker)).toBe(false);
    const worker = await runWorkerUntil(target, "desktop_huey_worker", dev, () => existsSync(marker));
    expect(existsSync(marker), worker.output).toBe(true);
    expect(readFileSync(marker, "utf8")).toBe("cooked");
    expect(worker.code, worker.output).toBe(0);
    expect(worker.afterEof).toBeLessThan(2000);
  }, TEN_MINUTES);

  it("the worker the shell names (DESKTOP_DJANGO_WORKER) ends within 2 s of stdin closing while the project's apps still load", async () => {
    // desktop_settings/__init__.py starts the watch before the project's settings and apps load; the jobs app takes 5 s here.
    const started = Date.now();
    const worker = await runWorkerUntil(target, "desktop_huey_worker", { ...dev, DESKTOP_DJANGO_WORKER: "desktop_huey_worker", KITCHEN_IMPORT_SECONDS: "5" }, () => Date.now() - started >= 500);
    expect(worker.code, worker.output).toBe(0);
    expect(worker.afterEof).toBeLessThan(2000);
    expect(worker.output).not.toContain("desktop_huey_worker: ready");
  }, TEN_MINUTES);
});


describe("a wrapped project with django-q2 on its ORM broker", () => {
  const pantry = path.join(work, "pantry");
  const appData = path.join(work, "pantry-app-data");
  const dev = { DJANGO_SETTINGS_MODULE: "desktop_settings.dev", DESKTOP_DJANGO_APP_DATA_DIR: appData };

  beforeAll(
    () =>
      wrappedProject(
        pantry,
        {
          "manage.py": "import os\nimport sys\n\nif __name__ == '__main__':\n    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'pantry.settings')\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n",
          "pantry/__init__.py": "",
          "pantry/settings.py": [
            "from pathlib import Path",
            "BASE_DIR = Path(__file__).resolve().parent.parent",
            'SECRET_KEY = "pantry-development-key"',
            'INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.staticfiles", "django_q", "shelf"]',
            'MIDDLEWARE = ["django.middleware.security.SecurityMiddleware", "django.middleware.common.CommonMiddleware"]',
            'ROOT_URLCONF = "pantry.urls"',
            'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}',
            'Q_CLUSTER = {"name": "pantry", "workers": 4, "redis": {"host": "redis.internal", "port": 6379}}',
            'STATIC_URL = "static/"',
            'DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"',
            "",
          ].join("\n"),
          "pantry/urls.py": "urlpatterns = []\n",
          "shelf/__init__.py": "",
          "shelf/jobs.py": "from pathlib import Path\n\n\ndef write_marker(path):\n    Path(path).write_text('stocked')\n    return 'ok'\n",
          "requirements.txt": "Django==6.1.3\ndjango-q2==1.11.1\n",
        },
        ["Django==6.1.3", "django-q2==1.11.1"],
        [],
      ),
    TEN_MINUTES,
  );

  it("a task enqueued with async_task runs in the worker the wrap wrote, its result is saved, and the worker ends within 2 s of stdin closing", async () => {
    const migrated = run(["manage.py", "migrate", "--noinput", "-v", "0"], dev, pantry);
    expect(migrated.status, migrated.stderr).toBe(0);
    const marker = path.join(work, "pantry-marker.txt");
    const queued = run(["manage.py", "shell", "-c", `from django_q.tasks import async_task; print(async_task("shelf.jobs.write_marker", ${JSON.stringify(marker)}))`], dev, pantry);
    expect(queued.status, queued.stderr).toBe(0);
    const taskId = queued.stdout.trim().split("\n").at(-1)!;
    expect(existsSync(marker)).toBe(false);
    // Until django-q2's monitor has saved the result: a worker ended mid-task leaves it queued, and the broker hands it out again.
    const worker = await runWorkerUntil(pantry, "desktop_django_q_worker", dev, (output) => existsSync(marker) && /Processed 'shelf\.jobs\.write_marker'/.test(output));
    expect(readFileSync(marker, "utf8"), worker.output).toBe("stocked");
    expect(worker.code, worker.output).toBe(0);
    expect(worker.afterEof).toBeLessThan(2000);
    const result = run(["manage.py", "shell", "-c", `from django_q.tasks import result; print(result(${JSON.stringify(taskId)}, wait=5000))`], dev, pantry);
    expect(result.stdout.trim().split("\n").at(-1), result.stderr).toBe("ok");
  }, TEN_MINUTES);
});
