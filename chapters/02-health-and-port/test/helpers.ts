/**
 * Test helpers: free ports, temporary folders, and process checks that do not
 * mistake a zombie for a running process.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix = "dds-test-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== "linux") return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Polls until none of `pids` runs; resolves with the milliseconds that took, or rejects after `limitMs`. */
export async function waitUntilGone(pids: number[], limitMs: number): Promise<number> {
  const started = Date.now();
  while (pids.some(isRunning)) {
    if (Date.now() - started > limitMs) {
      throw new Error(`Still running after ${limitMs} ms: ${pids.filter(isRunning).join(", ")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return Date.now() - started;
}

export function waitFor<T>(register: (resolve: (value: T) => void) => void, limitMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Timed out after ${limitMs} ms waiting for ${what}`)), limitMs);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/**
 * Makes `folder` read-only for this process and returns the undo, or says why it cannot. Permissions do not stop
 * root, so as root on Linux the folder is made immutable (chattr +i) instead. Windows has no read-only folders.
 */
export function makeReadOnly(folder: string): (() => void) | string {
  if (process.platform === "win32") return "Windows folders have no read-only permission to test with";
  if (process.getuid?.() !== 0) {
    chmodSync(folder, 0o555);
    return () => chmodSync(folder, 0o755);
  }
  if (process.platform !== "linux") return "running as root, where permissions do not apply";
  const locked = spawnSync("chattr", ["+i", folder]);
  if (locked.status !== 0) return `running as root, and chattr +i failed: ${String(locked.stderr || locked.error)}`.trim();
  return () => spawnSync("chattr", ["-i", folder]);
}
