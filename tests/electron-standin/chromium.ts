/**
 * The browser the browser tests use (scripts/find-browser.ts finds it). One browser serves every
 * shell a test file launches: startChromium() starts it with a DevTools
 * endpoint, and each shell's process connects to that endpoint.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BrowserSetupError, findBrowser, NO_BROWSER } from "../../scripts/find-browser.ts";

export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"];

/** The browser's executable, as the Playwright browser tests find it; throws BrowserSetupError when there is none. */
export function chromiumPath(): string {
  const found = findBrowser();
  if (!found) throw new BrowserSetupError(NO_BROWSER);
  return found.executablePath;
}

export function launchOptions(): { executablePath: string; args: string[] } {
  return { executablePath: chromiumPath(), args: CHROMIUM_ARGS };
}

export interface RunningChromium {
  endpoint: string;
  /** The browser's main process, for the benchmark's CPU count. */
  pid: number;
  close(): Promise<void>;
}

export async function startChromium(): Promise<RunningChromium> {
  const executable = chromiumPath();
  const profile = mkdtempSync(path.join(os.tmpdir(), "standin-chromium-"));
  const child: ChildProcess = spawn(executable, [...CHROMIUM_ARGS, "--headless", "--remote-debugging-port=0", `--user-data-dir=${profile}`, "about:blank"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`Chromium did not start within 30 s:\n${text}`)), 30_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`Chromium exited with code ${code} before it listened:\n${text}`)));
  });
  // A test runner that dies without closing it must not leave a browser behind.
  const orphanGuard = () => child.kill();
  process.once("exit", orphanGuard);
  return {
    endpoint,
    pid: child.pid!,
    close: async () => {
      process.off("exit", orphanGuard);
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill();
        await exited;
      }
      // Chromium's helper processes can still be writing into the profile for a moment after the browser process exits
      // (seen once as ENOTEMPTY on a fresh-clone run): rmSync retries ENOTEMPTY and EBUSY with a growing pause.
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    },
  };
}
