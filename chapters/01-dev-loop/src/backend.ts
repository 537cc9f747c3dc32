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

/** What `desktop_serve` prints, as `DESKTOP_DJANGO_SERVING {json}`, each time it starts serving. */
export interface ServingInfo {
  url: string;
  pid: number;
  workers: string[];
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
}

export interface Backend {
  url: string;
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the exit code (or null when killed by a signal) once Django has exited. */
  exited: Promise<number | null>;
  stop(graceMs?: number): Promise<void>;
}

const SERVING_PREFIX = "DESKTOP_DJANGO_SERVING ";

export function parseServingLine(line: string): ServingInfo | undefined {
  if (!line.startsWith(SERVING_PREFIX)) return undefined;
  try {
    return JSON.parse(line.slice(SERVING_PREFIX.length)) as ServingInfo;
  } catch {
    return undefined;
  }
}

export function startBackend(options: BackendOptions): Backend {
  const child = spawn(options.python, [options.managePy, "desktop_serve", ...(options.args ?? [])], {
    env: { ...process.env, PYTHONUNBUFFERED: "1", ...options.env, DESKTOP_DJANGO_PORT: String(options.port) },
    // The folder holding manage.py, as with runserver: projects open files relative to it.
    cwd: path.dirname(options.managePy),
    stdio: ["pipe", "pipe", "pipe"],
    // Its own process group on macOS and Linux, so stop() can end Django's children too.
    detached: process.platform !== "win32",
    windowsHide: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => {
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
    stop: (graceMs = 1500) => stopBackend(child, exited, graceMs),
  };
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
