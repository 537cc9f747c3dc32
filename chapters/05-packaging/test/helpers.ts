/**
 * Test helpers: free ports, temporary folders, and process checks that do not
 * mistake a zombie for a running process.
 */
import { mkdtempSync, readFileSync } from "node:fs";
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
