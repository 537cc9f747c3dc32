/**
 * What the end-to-end test needs around the real app: a virtual screen
 * (Xvfb), tauri-driver in front of WebKitGTK's WebDriver, and a look at which
 * backend processes are alive. Linux only: tauri-driver has no macOS driver,
 * and on Windows it needs Edge's driver, which this machine cannot download.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync, chmodSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { Builder, type WebDriver } from "selenium-webdriver";

/** Why the e2e test cannot run on this machine, or undefined when it can. */
export function missingPrerequisite(binary: string): string | undefined {
  if (process.platform !== "linux") return `the Tauri e2e test drives WebKitGTK through tauri-driver, which runs on Linux only (here: ${process.platform})`;
  for (const program of ["Xvfb", "WebKitWebDriver", "tauri-driver"]) {
    if (spawnSync("which", [program]).status !== 0) return `${program} is not installed: run .ci/tauri-deps.sh`;
  }
  if (spawnSync("test", ["-x", binary]).status !== 0) return `${binary} is missing: run \`npm run build -w experiments/tauri\``;
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Starts Xvfb on the first free display number (it says which through -displayfd). */
export async function startXvfb(): Promise<{ display: string; stop: () => void }> {
  const xvfb = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp"], { stdio: ["ignore", "ignore", "pipe", "pipe"] });
  const display = await new Promise<string>((resolve, reject) => {
    let text = "";
    (xvfb.stdio[3] as NodeJS.ReadableStream).on("data", (chunk: Buffer) => {
      text += chunk;
      if (text.includes("\n")) resolve(`:${text.trim()}`);
    });
    xvfb.once("exit", (code) => reject(new Error(`Xvfb exited with code ${code}`)));
  });
  return { display, stop: () => xvfb.kill() };
}

export interface DriverSession {
  driver: WebDriver;
  /** Everything tauri-driver, WebKitWebDriver and the app printed. */
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts tauri-driver with the app's environment, and a WebDriver session that launches the app. */
export async function launchApp(binary: string, env: NodeJS.ProcessEnv): Promise<DriverSession> {
  const [port, nativePort] = [await freePort(), await freePort()];
  const driverProcess: ChildProcess = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  driverProcess.stdout?.on("data", (chunk: Buffer) => (output += chunk));
  driverProcess.stderr?.on("data", (chunk: Buffer) => (output += chunk));
  const server = `http://127.0.0.1:${port}/`;
  for (let tries = 0; ; tries += 1) {
    try {
      await fetch(`${server}status`);
      break;
    } catch (error) {
      if (tries > 100) throw new Error(`tauri-driver did not answer on ${server}:\n${output}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const driver = await new Builder().usingServer(server).withCapabilities({ browserName: "wry", "tauri:options": { application: binary } }).build();
  return {
    driver,
    output: () => output,
    stop: async () => {
      await driver.quit().catch(() => undefined);
      driverProcess.kill();
    },
  };
}

export interface BackendProcess {
  pid: number;
  cmdline: string;
  env: Map<string, string>;
}

/** Live processes (zombies have no environment) started with this DESKTOP_DJANGO_APP_DATA_DIR. */
export function backendProcesses(appDataDir: string): BackendProcess[] {
  const found: BackendProcess[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = new Map(
        readFileSync(`/proc/${entry}/environ`, "utf8")
          .split("\0")
          .filter(Boolean)
          .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)] as [string, string]),
      );
      if (env.get("DESKTOP_DJANGO_APP_DATA_DIR") !== appDataDir) continue;
      found.push({ pid: Number(entry), cmdline: readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim(), env });
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}

/**
 * A folder holding an `xdg-open` that records what it was asked to open, put
 * first on the app's PATH: the test sees what the app handed to the desktop,
 * and nothing opens on the machine running the test.
 */
export function recordingOpener(dir: string): { binDir: string; opened: () => string[] } {
  const binDir = path.join(dir, "bin");
  const record = path.join(dir, "opened.txt");
  mkdirSync(binDir, { recursive: true });
  writeFileSync(record, "");
  writeFileSync(path.join(binDir, "xdg-open"), `#!/bin/sh\nprintf '%s\\n' "$1" >> '${record}'\n`);
  chmodSync(path.join(binDir, "xdg-open"), 0o755);
  return { binDir, opened: () => readFileSync(record, "utf8").split("\n").filter(Boolean) };
}

export async function eventually<T>(probe: () => T | Promise<T>, accept: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
