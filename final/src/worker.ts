/**
 * Supervises an optional background worker: a second Python process running a
 * management command that a Django app declared with `desktop_worker_command`
 * on its AppConfig (Django reports them in its SERVING line). It starts after Django is healthy, and stops with the app.
 * The lifetime rule is the same as Django's: it exits when its stdin closes, watching
 * from before Django loads because the shell names it in DESKTOP_DJANGO_WORKER.
 *
 * A worker that crashes is started again after a pause that doubles with each
 * crash in a row. A run of a healthy minute forgets the earlier crashes, so
 * only crashes close together use up the restart budget; once it is spent, the
 * worker stays stopped until the app restarts. Each change is written to a
 * status file in the app-data folder (`worker-status/<command>.json`), which
 * the Django side reads (desktop_runtime/workers.py) to tell the user, with the
 * worker's last lines, that it stopped.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startManageCommand, type ManagedProcess, type ManageCommandOptions } from "./backend";

/** Time, injectable so tests can run the restart rules without waiting. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** What the status file holds: the Django side reads these names. */
export interface WorkerStatus {
  command: string;
  /** running; restarting (waiting to start again after a crash); stopped (given up until the app restarts). */
  state: "running" | "restarting" | "stopped";
  /** Crashes since the last healthy minute. */
  crashes: number;
  /** The last crash's exit code; null when a signal ended it. */
  exitCode?: number | null;
  /** When the state began, ISO 8601. */
  since: string;
  /** restarting: when the next start is due, ISO 8601. */
  restartAt?: string;
  /** The worker's last lines before its last crash. */
  lastLines: string[];
  logFile?: string;
}

/** `<app data>/worker-status/<command>.json`. */
export function workerStatusFile(appDataDir: string, command: string): string {
  return path.join(appDataDir, "worker-status", `${command}.json`);
}

export interface WorkerOptions extends Omit<ManageCommandOptions, "args"> {
  command: string;
  /** Crashes in a row (no healthy minute between them) that are restarted; the next one stops the worker. */
  maxRestarts?: number;
  /** A run at least this long counts as healthy and resets the budget. */
  healthyMs?: number;
  /** The pause before the first restart; it doubles with each crash in a row, up to maxRestartDelayMs. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** Where to write the worker's state for the Django side; none by default. */
  statusFile?: string;
  clock?: Clock;
  log?: (message: string) => void;
}

export interface SupervisedWorker {
  readonly command: string;
  /** Restarts after crashes, in this session. */
  restarts(): number;
  current(): ManagedProcess | undefined;
  status(): WorkerStatus;
  stop(): Promise<void>;
}

export const LAST_LINES_SHOWN = 15;

/** Set on each worker's process to its command, so manage.py knows it is one before Django loads. */
export const WORKER_VARIABLE = "DESKTOP_DJANGO_WORKER";

/** The pause before restart number `crashes` in a row: 1 s, 2 s, 4 s ... capped. */
export function restartDelay(crashes: number, firstMs: number, maxMs: number): number {
  return Math.min(firstMs * 2 ** Math.max(0, crashes - 1), maxMs);
}

export function superviseWorker(options: WorkerOptions): SupervisedWorker {
  const {
    command,
    maxRestarts = 3,
    healthyMs = 60_000,
    restartDelayMs = 1000,
    maxRestartDelayMs = 30_000,
    clock = systemClock,
    log = console.warn,
  } = options;
  let restarts = 0;
  let crashes = 0;
  let stopped = false;
  let current: ManagedProcess | undefined;
  let pending: unknown;
  let status: WorkerStatus = { command, state: "running", crashes: 0, since: new Date(clock.now()).toISOString(), lastLines: [] };

  const record = (next: Omit<WorkerStatus, "command" | "since" | "logFile">) => {
    status = { command, since: new Date(clock.now()).toISOString(), ...next, ...(options.logFile ? { logFile: options.logFile } : {}) };
    if (options.statusFile) writeStatus(options.statusFile, status);
  };

  const launch = () => {
    pending = undefined;
    let process: ManagedProcess;
    try {
      // Named in its environment, the worker watches its stdin before Django loads (desktop_runtime/lifetime.py).
      process = startManageCommand({ ...options, args: [command], env: { ...options.env, [WORKER_VARIABLE]: command } });
    } catch (error) {
      // The log folder cannot be written (logFile.ts): starting again would fail the same way.
      current = undefined;
      record({ state: "stopped", crashes, lastLines: [(error as Error).message] });
      log(`Worker ${command} was not started: ${(error as Error).message}`);
      return;
    }
    const startedAt = clock.now();
    current = process;
    record({ state: "running", crashes, lastLines: status.lastLines });
    void process.exited.then((code) => {
      if (stopped || current !== process) return;
      current = undefined;
      // A healthy run forgets the crashes before it.
      if (clock.now() - startedAt >= healthyMs) crashes = 0;
      crashes += 1;
      const lastLines = process.recentLines().slice(-LAST_LINES_SHOWN);
      if (crashes > maxRestarts) {
        record({ state: "stopped", crashes, exitCode: code, lastLines });
        log(`Worker ${command} exited with code ${code} after ${crashes} crashes without a healthy minute between them; not restarting it until the app restarts. Its output is in the worker log.`);
        return;
      }
      const delay = restartDelay(crashes, restartDelayMs, maxRestartDelayMs);
      record({ state: "restarting", crashes, exitCode: code, lastLines, restartAt: new Date(clock.now() + delay).toISOString() });
      log(`Worker ${command} exited with code ${code}; restarting it in ${delay} ms (restart ${crashes} of ${maxRestarts} without a healthy minute between).`);
      pending = clock.setTimeout(() => {
        if (stopped) return;
        restarts += 1;
        launch();
      }, delay);
    });
  };

  launch();
  return {
    command,
    restarts: () => restarts,
    current: () => current,
    status: () => status,
    stop: async () => {
      stopped = true;
      if (pending !== undefined) clock.clearTimeout(pending);
      await current?.stop();
      // Stopped on purpose, with the app: nothing for the next session's page to report.
      if (options.statusFile) rmSync(options.statusFile, { force: true });
    },
  };
}

/** Writes the status so that a reader sees the old file or the new one, never half of one; a failed write only loses the news. */
function writeStatus(file: string, status: WorkerStatus): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, `${JSON.stringify(status, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
  } catch {
    // The worker matters more than its status file.
  }
}
