/**
 * The worker supervisor's restart rules, with real processes and a clock the
 * test moves: a stand-in for `manage.py <command>` (a Node script) crashes
 * when the test tells it to, and time passes only when the test says so.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { restartDelay, superviseWorker, workerStatusFile, type Clock, type SupervisedWorker, type WorkerStatus } from "../src/worker";
import { devPaths } from "../src/paths";
import project from "../src/project";
import { tempDir } from "./helpers";

/** Prints two lines, then exits with code 3 when a line "crash" arrives on stdin, or with 0 when stdin closes. */
const WORKER_SCRIPT = `
console.log("worker " + process.argv[2] + " ready");
console.log("it will fail on request");
process.stdin.on("data", (data) => { if (String(data).includes("crash")) { console.error("Traceback: asked to crash"); process.exit(3); } });
process.stdin.on("end", () => process.exit(0));
`;

class ManualClock implements Clock {
  private time = Date.parse("2026-12-01T10:00:00.000Z");
  private timers: { at: number; callback: () => void }[] = [];
  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const timer = { at: this.time + ms, callback };
    this.timers.push(timer);
    return timer;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer !== handle);
  }
  pending(): number {
    return this.timers.length;
  }
  advance(ms: number): void {
    this.time += ms;
    const due = this.timers.filter((timer) => timer.at <= this.time);
    this.timers = this.timers.filter((timer) => timer.at > this.time);
    for (const timer of due) timer.callback();
  }
}

let worker: SupervisedWorker | undefined;
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});

function setUp(options: { maxRestarts: number }) {
  const folder = tempDir();
  const managePy = path.join(folder, "manage.cjs");
  writeFileSync(managePy, WORKER_SCRIPT);
  const statusFile = workerStatusFile(folder, "fake_worker");
  const clock = new ManualClock();
  const messages: string[] = [];
  worker = superviseWorker({
    python: process.execPath,
    managePy,
    command: "fake_worker",
    env: {},
    logFile: path.join(folder, "logs", "worker.log"),
    statusFile,
    clock,
    maxRestarts: options.maxRestarts,
    restartDelayMs: 1000,
    maxRestartDelayMs: 3000,
    log: (message) => messages.push(message),
  });
  const fileStatus = () => JSON.parse(readFileSync(statusFile, "utf8")) as WorkerStatus;
  return { worker, clock, statusFile, fileStatus, messages };
}

/** Waits until the worker's process has printed its first line, then makes it crash. */
async function crash(supervised: SupervisedWorker): Promise<void> {
  await expect.poll(() => supervised.current()?.recentLines().length ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
  supervised.current()!.child.stdin.write("crash\n");
}

describe("restartDelay", () => {
  it("doubles with each crash in a row, up to the cap", () => {
    expect([1, 2, 3, 4, 5].map((crashes) => restartDelay(crashes, 1000, 30_000))).toEqual([1000, 2000, 4000, 8000, 16_000]);
    expect(restartDelay(9, 1000, 30_000)).toBe(30_000);
  });
});

describe("superviseWorker", () => {
  it("backs off between restarts, then stops after the budget and writes why, with the last lines, for the Django side", async () => {
    const { worker, clock, fileStatus, messages } = setUp({ maxRestarts: 2 });
    expect(fileStatus().state).toBe("running");

    await crash(worker);
    await expect.poll(() => fileStatus().state).toBe("restarting");
    const first = fileStatus();
    expect(Date.parse(first.restartAt!) - Date.parse(first.since)).toBe(1000);
    clock.advance(999);
    expect(worker.current()).toBeUndefined();
    clock.advance(1);
    expect(worker.restarts()).toBe(1);

    await crash(worker);
    await expect.poll(() => fileStatus().crashes).toBe(2);
    const second = fileStatus();
    expect(Date.parse(second.restartAt!) - Date.parse(second.since)).toBe(2000);
    clock.advance(2000);

    await crash(worker);
    await expect.poll(() => fileStatus().state).toBe("stopped");
    const stopped = fileStatus();
    expect(stopped).toMatchObject({ command: "fake_worker", state: "stopped", crashes: 3, exitCode: 3 });
    expect(stopped.lastLines).toEqual(["worker fake_worker ready", "it will fail on request", "Traceback: asked to crash"]);
    expect(stopped.logFile).toMatch(/worker\.log$/);
    expect(worker.status()).toEqual(stopped);
    // Given up: no timer left, nothing running, however long the app stays open.
    expect(clock.pending()).toBe(0);
    clock.advance(3_600_000);
    expect(worker.current()).toBeUndefined();
    expect(worker.restarts()).toBe(2);
    expect(messages.at(-1)).toContain("not restarting it until the app restarts");
  });

  it("forgets earlier crashes after a healthy minute, so the budget is per burst of crashes", async () => {
    const { worker, clock, fileStatus } = setUp({ maxRestarts: 1 });
    await crash(worker);
    await expect.poll(() => fileStatus().state).toBe("restarting");
    clock.advance(1000);

    // This run lasts a minute before it crashes: a new burst, not the second crash of the first one.
    await expect.poll(() => worker.current()?.recentLines().length ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    clock.advance(60_000);
    await crash(worker);
    await expect.poll(() => fileStatus().state).toBe("restarting");
    expect(fileStatus().crashes).toBe(1);
    clock.advance(1000);

    // Straight after: the second crash of this burst uses up maxRestarts = 1.
    await crash(worker);
    await expect.poll(() => fileStatus().state).toBe("stopped");
    expect(fileStatus().crashes).toBe(2);
  });

  it("stop() cancels a pending restart and removes the status file: a quit is not a crash", async () => {
    const { worker: supervised, clock, statusFile, fileStatus } = setUp({ maxRestarts: 3 });
    await crash(supervised);
    await expect.poll(() => fileStatus().state).toBe("restarting");
    await supervised.stop();
    worker = undefined;
    expect(clock.pending()).toBe(0);
    expect(existsSync(statusFile)).toBe(false);
  });
});

describe("a worker of the real Django project", () => {
  it("ends within 2 s when its stdin closes while Django still loads: the shell names it, so it watches from the start", async () => {
    // Settings that take 5 s to load, like a first start on a cold disk.
    const folder = tempDir();
    writeFileSync(path.join(folder, "slow_worker_settings.py"), `from ${project.settings.development} import *  # noqa: F403\nimport time\n\ntime.sleep(5)\n`);
    worker = superviseWorker({
      ...devPaths(),
      // desktop_runtime's own worker command: every project has it, and here it never gets past the settings.
      command: "desktop_db_worker",
      env: { DJANGO_SETTINGS_MODULE: "slow_worker_settings", PYTHONPATH: folder, DESKTOP_DJANGO_HOST: "127.0.0.1", DESKTOP_DJANGO_APP_DATA_DIR: folder },
      maxRestarts: 0,
      log: () => {},
    });
    const running = worker.current()!;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const closedAt = Date.now();
    running.child.stdin.end();
    const outcome = await Promise.race([running.exited, new Promise((resolve) => setTimeout(resolve, 2000, "still running"))]);
    expect(outcome, `${Date.now() - closedAt} ms after its stdin closed`).toBe(0);
  }, 20_000);
});
