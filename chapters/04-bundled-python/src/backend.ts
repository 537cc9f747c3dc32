/**
 * Starts Django as a child process and stops it, together with every process
 * it started, on every exit path.
 *
 * Lifetime rule: Django's stdin is a pipe we hold open. `desktop_serve` exits
 * when it reads EOF, so if this process dies in any way (even SIGKILL) the
 * operating system closes the pipe and Django follows within two seconds.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { openLogFile } from "./logFile";
import { findFreePort } from "./port";

/** What `desktop_serve` prints, as `DESKTOP_DJANGO_SERVING {json}`, each time it starts serving. */
export interface ServingInfo {
  url: string;
  pid: number;
  workers: string[];
  /** Requests with the token are logged in as the local user (desktop_runtime's auto-login). */
  auto_login?: boolean;
}

export interface BackendOptions {
  python: string;
  managePy: string;
  port: number;
  /** The runtime contract's variables (DJANGO_SETTINGS_MODULE, DESKTOP_DJANGO_*). */
  env: Record<string, string>;
  /** Extra arguments for desktop_serve, such as `--reload` in development. */
  args?: string[];
  /** Called for every line Django writes to stdout or stderr. */
  onLine?: (line: string) => void;
  /** Called each time Django (re)starts serving: once at start, again after each autoreload. */
  onServing?: (info: ServingInfo) => void;
  /** Every line Django prints is appended here too, so a failed start can be read afterwards. */
  logFile?: string;
}

export interface Backend {
  url: string;
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the exit code (or null when killed by a signal) once Django has exited. */
  exited: Promise<number | null>;
  /** The last lines Django printed, for startup error messages. */
  recentLines(): string[];
  stop(graceMs?: number): Promise<void>;
}

const SERVING_PREFIX = "DESKTOP_DJANGO_SERVING ";
const RECENT_LINES = 40;
/** desktop_serve's exit codes (docs/reference/runtime-contract.md). */
export const EXIT_BAD_ADDRESS = 2;
/** Its port was taken before it could bind. */
export const EXIT_PORT_IN_USE = 10;
/** A migration failed; it also prints `desktop_serve: migration failed: <reason>`. */
export const EXIT_MIGRATION_FAILED = 11;
/** A newer version of the app migrated the database; this one does not open it. */
export const EXIT_DATABASE_NEWER = 12;
/** SQLite's quick_check found the database damaged; desktop_serve changed nothing in it. */
export const EXIT_DATABASE_CORRUPT = 13;

/**
 * What an exit before serving means and what to do next, per desktop_serve's exit codes (docs/reference/runtime-contract.md).
 * `appDataDir` (DESKTOP_DJANGO_APP_DATA_DIR) lets the advice name the files it is about.
 */
export function exitAdvice(code: number | null, appDataDir = "the app-data folder"): string {
  switch (code) {
    case null:
      return "Something outside the app ended it.";
    case EXIT_BAD_ADDRESS:
      return "The shell gave it no valid address (DESKTOP_DJANGO_HOST, DESKTOP_DJANGO_PORT): a bug in the shell, not in the Django project.";
    case EXIT_PORT_IN_USE:
      return "Other programs took every port it tried before Django could bind it. Start the app again.";
    case EXIT_MIGRATION_FAILED:
      return "A database migration failed; its error is in the last lines. Starting again will not help until the migration or the database is fixed.";
    case EXIT_DATABASE_NEWER:
      return "A newer version of the app has used this database, and this older version cannot read what it changed. Install the newer version again; the database was left as it was.";
    case EXIT_DATABASE_CORRUPT:
      return (
        `The database ${path.join(appDataDir, "app.sqlite3")} is damaged, and the app changed nothing in it. ` +
        `Quit, move the damaged file aside, and copy the newest backup from ${path.join(appDataDir, "backups")} in its place (named app.sqlite3); then start again. ` +
        "Without a backup, moving the file aside starts the app with an empty database."
      );
    default:
      return "Python stopped with an error; the last lines show it, usually as a traceback ending in the exception.";
  }
}

/**
 * The environment Python starts with: this process's own, then the contract's. A bundled interpreter (the contract names
 * DESKTOP_DJANGO_BUNDLE_DIR) runs only what the bundle holds, so it takes no PYTHON* variable from the user's environment
 * (PYTHONHOME would break it, PYTHONPATH would put other packages first) and does not read the user's site-packages.
 */
export function pythonEnvironment(inherited: NodeJS.ProcessEnv, contract: Record<string, string>): NodeJS.ProcessEnv {
  const bundled = contract.DESKTOP_DJANGO_BUNDLE_DIR !== undefined;
  // Windows names environment variables without regard to case.
  const kept = bundled ? Object.fromEntries(Object.entries(inherited).filter(([name]) => !/^PYTHON/i.test(name))) : inherited;
  return { ...kept, PYTHONUNBUFFERED: "1", ...(bundled ? { PYTHONNOUSERSITE: "1" } : {}), ...contract };
}

export function parseServingLine(line: string): ServingInfo | undefined {
  if (!line.startsWith(SERVING_PREFIX)) return undefined;
  try {
    return JSON.parse(line.slice(SERVING_PREFIX.length)) as ServingInfo;
  } catch {
    return undefined;
  }
}

export function startBackend(options: BackendOptions): Backend {
  // First, so a folder it cannot write in stops the start before Python runs.
  const log = options.logFile ? openLogFile(options.logFile) : undefined;
  const child = spawn(options.python, [options.managePy, "desktop_serve", ...(options.args ?? [])], {
    env: { ...pythonEnvironment(process.env, options.env), DESKTOP_DJANGO_PORT: String(options.port) },
    // The folder holding manage.py, as with runserver: projects open files relative to it.
    cwd: path.dirname(options.managePy),
    stdio: ["pipe", "pipe", "pipe"],
    // Its own process group on macOS and Linux, so stop() can end Django's children too.
    detached: process.platform !== "win32",
    windowsHide: true,
  });
  const recent: string[] = [];
  const record = (line: string) => {
    recent.push(line);
    if (recent.length > RECENT_LINES) recent.shift();
    log?.(line);
  };
  child.once("error", (error) => record(`Could not start ${options.python}: ${error.message}`));
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => {
      record(line);
      options.onLine?.(line);
      const serving = parseServingLine(line);
      if (serving) options.onServing?.(serving);
    });
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(null));
  });
  return {
    url: `http://127.0.0.1:${options.port}/`,
    child,
    exited,
    recentLines: () => [...recent],
    stop: (graceMs = 1500) => stopBackend(child, exited, graceMs),
  };
}

/**
 * Starts Django on a free port and resolves once it has bound it. If another
 * program took the port first (exit code 10), tries again with a new one.
 */
export async function startBackendOnFreePort(
  options: Omit<BackendOptions, "port">,
  { attempts = 3, choosePort = findFreePort, log = console.warn }: RetryOptions = {},
): Promise<Backend> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await choosePort();
    let bound!: () => void;
    const serving = new Promise<void>((resolve) => (bound = resolve));
    const backend = startBackend({
      ...options,
      port,
      onServing: (info) => {
        bound();
        options.onServing?.(info);
      },
    });
    const outcome = await Promise.race([serving.then(() => "serving" as const), backend.exited]);
    if (outcome === "serving") return backend;
    if (outcome !== EXIT_PORT_IN_USE || attempt >= attempts) {
      const advice = exitAdvice(outcome, options.env.DESKTOP_DJANGO_APP_DATA_DIR);
      throw new BackendStartError(`Django exited with code ${outcome} before it started serving. ${advice}`, backend);
    }
    log(`Port ${port} was taken before Django could bind it; trying another port (attempt ${attempt + 1} of ${attempts}).`);
  }
}

export interface RetryOptions {
  attempts?: number;
  choosePort?: () => Promise<number>;
  log?: (message: string) => void;
}

/** Django stopped before it served; carries the backend so its last lines can be shown. */
export class BackendStartError extends Error {
  constructor(
    message: string,
    readonly backend: Backend,
  ) {
    super(message);
  }
}

/** Closes stdin (Django exits by itself), then ends whatever is left of the process tree. */
async function stopBackend(child: ChildProcessWithoutNullStreams, exited: Promise<number | null>, graceMs: number): Promise<void> {
  child.stdin.end();
  const timer = new Promise<"timeout">((resolve) => setTimeout(resolve, graceMs, "timeout"));
  const outcome = await Promise.race([exited, timer]);
  killProcessTree(child.pid);
  if (outcome === "timeout") await exited;
}

/** Ends a process and all its descendants: a process group on POSIX, `taskkill /T` on Windows. */
export function killProcessTree(pid: number | undefined): void {
  if (pid === undefined) return;
  if (process.platform === "win32") {
    spawnSync("taskkill", ["/pid", String(pid), "/T", "/F"], { windowsHide: true, stdio: "ignore" });
    return;
  }
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // The group is already gone.
  }
}
