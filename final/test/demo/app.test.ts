import { spawn } from "node:child_process";
import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { AppStartError, bootstrapUrl, startApp, type AppOptions, type RunningApp, type UnexpectedExit } from "../../src/app";
import type { ServingInfo } from "../../src/backend";
import { devPaths } from "../../src/paths";
import { ProjectLoadError } from "../../src/readiness";
import { generateToken } from "../../src/token";
import { superviseWorker, workerStatusFile, type SupervisedWorker } from "../../src/worker";
import { DjangoClient, isFinal, routines, waitForRoutines } from "./django";
import { isRunning, tempDir, waitFor, waitUntilGone } from "../helpers";

const paths = devPaths();
let running: RunningApp | undefined;
const extraWorkers: SupervisedWorker[] = [];

afterEach(async () => {
  await Promise.all(extraWorkers.splice(0).map((worker) => worker.stop()));
  await running?.stop();
  running = undefined;
});

function contractEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DJANGO_SETTINGS_MODULE: "desktop_django_starter.settings.dev",
    DESKTOP_DJANGO_HOST: "127.0.0.1",
    DESKTOP_DJANGO_APP_DATA_DIR: tempDir(),
    DESKTOP_ROUTINES_MIN_SECONDS: "0.2",
    DESKTOP_ROUTINES_MAX_SECONDS: "0.6",
    ...overrides,
  };
}

async function start(env = contractEnv(), lines: string[] = [], extra: Partial<AppOptions> = {}) {
  const token = generateToken();
  running = await startApp({ ...paths, env, token, onLine: (line) => lines.push(line), log: (message) => lines.push(message), ...extra });
  return { app: running, client: new DjangoClient(running.backend.url, token), env, lines, token };
}

describe("bootstrapUrl", () => {
  it("builds the contract's bootstrap URL with the token and the next path", () => {
    expect(bootstrapUrl("http://127.0.0.1:5000/", "a-b_c", "/")).toBe("http://127.0.0.1:5000/desktop-auth/bootstrap/?token=a-b_c&next=%2F");
  });
});

describe("startApp", () => {
  it("starts Django, then the worker the routines app declares, and the worker finishes routines", async () => {
    const { app, client } = await start();
    expect(app.workers.map((worker) => worker.command)).toEqual(["run_routines"]);
    for (let i = 0; i < 3; i += 1) expect((await client.submit("/routines/", "/routines/start/")).status).toBe(302);
    const done = await waitForRoutines(client, (all) => all.length === 3 && all.every(isFinal));
    expect(done.every((routine) => routine.attempts === 1)).toBe(true);
  });

  it("writes the server's and the worker's output to two files, never one shared file", async () => {
    const logs = path.join(tempDir(), "logs");
    const { client } = await start(contractEnv(), [], { logFile: path.join(logs, "backend.log"), workerLogFile: path.join(logs, "worker.log") });
    expect((await client.submit("/routines/", "/routines/start/")).status).toBe(302);
    await waitForRoutines(client, (all) => all.length === 1 && all.every(isFinal));
    const backendLog = readFileSync(path.join(logs, "backend.log"), "utf8");
    const workerLog = readFileSync(path.join(logs, "worker.log"), "utf8");
    expect(backendLog).toContain("DESKTOP_DJANGO_SERVING");
    expect(backendLog).not.toContain("run_routines:");
    expect(workerLog).toContain("run_routines:");
    expect(workerLog).not.toContain("DESKTOP_DJANGO_SERVING");
    expect(readdirSync(logs).sort()).toEqual(["backend.log", "worker.log"]);
  });

  it("the bootstrap URL lets a browser in", async () => {
    const { app } = await start();
    const response = await fetch(app.bootstrapUrl, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/");
  });

  it("a second worker waits for the first, and every routine runs exactly once", async () => {
    const env = contractEnv();
    const lines: string[] = [];
    const { client } = await start(env, lines);
    extraWorkers.push(superviseWorker({ ...paths, command: "run_routines", env: { ...env, DESKTOP_DJANGO_AUTH_TOKEN: "unused" }, onLine: (line) => lines.push(line) }));
    for (let i = 0; i < 10; i += 1) await client.submit("/routines/", "/routines/start/");
    const done = await waitForRoutines(client, (all) => all.length === 10 && all.every(isFinal), 60_000);
    const runs = lines.map((line) => /^run_routines: (worker-\S+) runs routine (\d+)/.exec(line)).filter((match) => match !== null);
    const ranIds = runs.map((match) => Number(match[2]));
    expect(new Set(ranIds).size).toBe(ranIds.length);
    expect(ranIds.sort((a, b) => a - b)).toEqual(done.map((routine) => routine.id).sort((a, b) => a - b));
    expect(new Set(runs.map((match) => match[1])).size).toBe(1);
    expect(lines.some((line) => /^run_routines: worker-\d+ waits for the running worker$/.test(line))).toBe(true);
  });

  it("restarts a worker killed mid-routine, and the routine ends failed or retried, never stuck", async () => {
    const { app, client, lines } = await start(contractEnv({ DESKTOP_ROUTINES_MIN_SECONDS: "3", DESKTOP_ROUTINES_MAX_SECONDS: "3" }));
    const worker = app.workers[0]!;
    await client.submit("/routines/", "/routines/start/");
    await waitForRoutines(client, (all) => all[0]?.status === "running", 15_000);
    const killed = worker.current()!.child.pid!;
    process.kill(killed, "SIGKILL");
    await waitUntilGone([killed], 2000);
    const [routine] = await waitForRoutines(client, (all) => all.length === 1 && isFinal(all[0]!), 45_000);
    expect(worker.restarts()).toBe(1);
    expect(lines.some((line) => line.startsWith("Worker run_routines exited") && line.includes("restarting it in 1000 ms (restart 1 of 3 "))).toBe(true);
    expect(routine!.status === "failed" || routine!.attempts === 2).toBe(true);
  });

  it("a worker the supervisor gave up on is shown on the routines page, with its last lines", async () => {
    const { app, client, env } = await start();
    // Stands in for the app's own worker: one that crashes at once, every time, and is not restarted (maxRestarts 0).
    await app.workers[0]!.stop();
    const statusFile = workerStatusFile(env.DESKTOP_DJANGO_APP_DATA_DIR!, "run_routines");
    const crashing = superviseWorker({ ...paths, command: "run_routines", env: { ...env, DJANGO_SETTINGS_MODULE: "settings_that_do_not_exist" }, statusFile, maxRestarts: 0, log: () => undefined });
    extraWorkers.push(crashing);
    await expect.poll(() => crashing.status().state, { timeout: 20_000 }).toBe("stopped");
    expect((await client.json<{ worker_state: string }>("/routines/status/")).worker_state).toBe("stopped");
    const page = await (await client.get("/routines/")).text();
    expect(page).toContain("The worker stopped");
    expect(page).toContain("No module named &#x27;settings_that_do_not_exist&#x27;");
  });

  it("starts no worker when the routines app is removed from settings, and the ponies still work", async () => {
    const settingsDir = tempDir();
    writeFileSync(
      path.join(settingsDir, "without_routines.py"),
      'from desktop_django_starter.settings.dev import *  # noqa: F403\n\nINSTALLED_APPS = [app for app in INSTALLED_APPS if app != "routines"]  # noqa: F405\n',
    );
    const { app, client } = await start(contractEnv({ DJANGO_SETTINGS_MODULE: "without_routines", PYTHONPATH: settingsDir }));
    expect(app.workers).toEqual([]);
    const page = await client.get("/");
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain("/routines/");
    expect((await client.get("/routines/")).status).toBe(404);
  });

  it("stop() ends Django and the worker", async () => {
    const { app } = await start();
    const pids = [app.backend.child.pid!, app.workers[0]!.current()!.child.pid!];
    expect(pids.every(isRunning)).toBe(true);
    await app.stop();
    running = undefined;
    await waitUntilGone(pids, 2000);
  });

  it("Django and the worker are gone within 2 s after SIGKILL of the supervising process", async () => {
    const supervisor = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "..", "fixtures", "supervise-app.ts"), tempDir()], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const pids = await waitFor<{ backend: number; workers: number[] }>(
      (resolve) => createInterface({ input: supervisor.stdout }).on("line", (line) => line.startsWith("{") && resolve(JSON.parse(line))),
      30_000,
      "the supervisor to report its process ids",
    );
    const all = [pids.backend, ...pids.workers];
    expect(all).toHaveLength(2);
    expect(all.every(isRunning)).toBe(true);
    supervisor.kill("SIGKILL");
    await waitUntilGone(all, 2000);
  });
});

describe("routines status", () => {
  it("is empty on a brand-new database", async () => {
    const { client } = await start();
    expect(await routines(client)).toEqual([]);
  });
});

describe("when Django stops on its own", () => {
  it("the worker is stopped, the exit is reported, and a restart on the same port serves the same data", async () => {
    let reported: ((exit: UnexpectedExit) => void) | undefined;
    const { app, client, env, token } = await start(contractEnv(), [], { onUnexpectedExit: (exit) => reported?.(exit) });
    expect((await client.submit("/routines/", "/routines/start/")).status).toBe(302);
    const workerPid = app.workers[0]!.current()!.child.pid!;

    const exited = waitFor<UnexpectedExit>((resolve) => (reported = resolve), 10_000, "the unexpected exit");
    process.kill(app.backend.child.pid!, "SIGKILL");
    const exit = await exited;
    // Windows has no signals: TerminateProcess leaves exit code 1.
    expect(exit.code).toBe(process.platform === "win32" ? 1 : null);
    expect(exit.recentLines.some((line) => line.startsWith("DESKTOP_DJANGO_SERVING"))).toBe(true);
    expect(exit.url).toBe(app.backend.url);
    expect(isRunning(workerPid)).toBe(false);

    // What the shell's Restart does: the same port and token, so the window's origin stays valid.
    running = await startApp({ ...paths, env, token, port: Number(new URL(exit.url).port) });
    expect(running.backend.url).toBe(app.backend.url);
    expect(await routines(client)).toHaveLength(1);
  });

  it("stop() is not reported as an unexpected exit", async () => {
    const exits: UnexpectedExit[] = [];
    const { app } = await start(contractEnv(), [], { onUnexpectedExit: (exit) => exits.push(exit) });
    await app.stop();
    running = undefined;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(exits).toEqual([]);
  });

  it("in development, an edit that breaks Django's start is not an exit: the page shows the error, and saving the fix serves again", async () => {
    const copy = path.join(tempDir(), "django");
    cpSync(paths.djangoDir, copy, { recursive: true, filter: (source) => !/[\\/](\.venv|\.dev-data|__pycache__)$/.test(source) });
    const managePy = path.join(copy, "manage.py");
    const models = path.join(copy, "example_app", "models.py");
    const original = readFileSync(models, "utf8");
    const exits: UnexpectedExit[] = [];
    let served: ((info: ServingInfo & { error?: string }) => void) | undefined;
    const { app, client } = await start(contractEnv(), [], {
      managePy,
      args: ["--reload"],
      onUnexpectedExit: (exit) => exits.push(exit),
      onServing: (info) => served?.(info),
    });
    // Like the dev-loop test: repeat each save until Django's reloader has taken its first snapshot and sees it.
    const saveUntilServing = async (content: string, what: string) => {
      const serving = waitFor<ServingInfo & { error?: string }>((resolve) => (served = resolve), 30_000, what);
      const save = () => writeFileSync(models, content);
      save();
      const saving = setInterval(save, 1500);
      return serving.finally(() => clearInterval(saving));
    };

    const broken = await saveUntilServing(`${original}\nthis line is not Python(\n`, "the start with the error");
    expect(broken.error).toContain("SyntaxError");
    const page = await client.get("/");
    expect(page.status).toBe(500);
    expect(await page.text()).toContain("SyntaxError");
    expect(exits).toEqual([]);
    expect(isRunning(app.backend.child.pid!)).toBe(true);

    const fixed = await saveUntilServing(original, "the start after the fix");
    expect(fixed.error).toBeUndefined();
    expect((await client.get("/")).status).toBe(200);
    expect(exits).toEqual([]);
  });
});

describe("a project Django cannot load at the start, under --reload", () => {
  /** A copy of the Django project whose models.py has a typo, and a way to put it right. */
  function brokenCopy() {
    const copy = path.join(tempDir(), "django");
    cpSync(paths.djangoDir, copy, { recursive: true, filter: (source) => !/[\\/](\.venv|\.dev-data|__pycache__)$/.test(source) });
    const models = path.join(copy, "example_app", "models.py");
    const original = readFileSync(models, "utf8");
    writeFileSync(models, `${original}\nclass Broken(models.Model):\n    name = models.CharFeld(max_length=10)\n`);
    return { managePy: path.join(copy, "manage.py"), fix: () => writeFileSync(models, original) };
  }

  it("with onProjectError, resolves on Django's error page and starts the worker only once the fix is saved", async () => {
    const { managePy, fix } = brokenCopy();
    const errors: ProjectLoadError[] = [];
    const { app, client } = await start(contractEnv(), [], { managePy, args: ["--reload"], onProjectError: (error) => errors.push(error) });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain("CharFeld");
    const page = await client.get("/");
    expect(page.status).toBe(500);
    expect(await page.text()).toContain("CharFeld");
    expect(app.workers).toEqual([]);

    // Saved again every 1.5 s: Django's reloader may miss a save made as it starts.
    fix();
    const saving = setInterval(fix, 1500);
    try {
      await expect.poll(() => app.workers.map((worker) => worker.command), { timeout: 30_000 }).toEqual(["run_routines"]);
    } finally {
      clearInterval(saving);
    }
    expect((await client.get("/")).status).toBe(200);
  });

  it("without onProjectError, fails like any other start and stops Django", async () => {
    const { managePy } = brokenCopy();
    const lines: string[] = [];
    const failed = await start(contractEnv(), lines, { managePy, args: ["--reload"] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(AppStartError);
    expect((failed as AppStartError).cause).toBeInstanceOf(ProjectLoadError);
    const pid = Number(/"pid": (\d+)/.exec(lines.find((line) => line.startsWith("DESKTOP_DJANGO_SERVING"))!)![1]);
    expect(isRunning(pid)).toBe(false);
  });
});
