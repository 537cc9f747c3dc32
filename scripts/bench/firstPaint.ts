/**
 * Launch to first contentful paint of final/'s home page, through the Electron
 * stand-in (tests/electron-standin/): the shell's compiled main.js under Node,
 * its window a page in the browser the browser tests use (scripts/find-browser.ts), already running. It is NOT
 * Electron's number (no Electron start, no browser start); it shows whether
 * the shell's own code adds anything to the critical path between the
 * process starting and the home page painting.
 *
 * The path to "Django healthy" is broken down from outside the shell, with
 * the stand-in's events (tests/electron-standin/probes.ts: the spawns, the
 * moment Django's SERVING line arrives, each /health/ poll) and the CPU the
 * processes used (procStat.ts). In the same rounds, in a new random order
 * each round, the same desktop_serve command is started alone, so the two
 * numbers that matter sit side by side: Django healthy alone, and inside the
 * shell.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { get } from "node:http";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { describeBrowser, findBrowser } from "../find-browser.ts";
import { SharedChromium, ShellProcess, type StandinEvent } from "../../tests/electron-standin/harness.ts";
import { startApp } from "../../final/src/app.ts";
import { pythonEnvironment } from "../../final/src/backend.ts";
import { findFreePort } from "../../final/src/port.ts";
import { readStat, treeCpuMs } from "./procStat.ts";
import { median, shuffled } from "./stats.ts";

export interface FirstPaint {
  /** Process spawned to the home page's first contentful paint. */
  fromSpawn: number;
  /** The shell's main.js starting to load (after Node, tsx and Playwright) to the same paint. */
  fromMainJs: number;
  /** main.js start to app "ready" (in the stand-in: connecting to Chromium). */
  toReady: number;
  /** main.js start to the first 200 from /health/: Django healthy inside the shell. */
  toHealthy: number;
  /** The main window's loadURL to the first paint: the window, the page's requests, rendering. */
  healthyToPaint: number;
  path: HealthyPath;
  /** The same desktop_serve command started alone in the same round: spawn to its first 200 (polled every 5 ms). */
  alone: AloneStart;
  /** The shell's own start code (final/src/app.ts's startApp) run under Node in the same round, with no window and no Chromium. */
  windowless: WindowlessStart;
}

/** startApp() as the shell calls it, without Electron: what the shell's code adds on its own, with nothing else on the cores. */
export interface WindowlessStart {
  /** The call to its first 200 from /health/ (startApp resolves once /health/ answered and the worker is spawned). */
  toHealthy: number;
}

/** Where the shell's path from main.js start to Django healthy goes, from the stand-in's events. All in ms. */
export interface HealthyPath {
  /** main.js start to spawning desktop_serve: loading the shell's modules, resolving the backend, the backup check, the port, the log file. */
  toSpawn: number;
  /** How long the spawn call itself blocked the shell's process. */
  spawnCall: number;
  /** A Python spawned before Django to copy the database (only when the app's version changed). */
  backupCopy: boolean;
  /** Spawn to Django's SERVING line reaching the shell: Python's start, Django's setup, the migration check, the bind. */
  spawnToServing: number;
  /** Development only: spawn to the autoreload child's start, i.e. what the reloader's own process costs first. */
  reloader?: number;
  /** SERVING line to the first 200 from /health/: the readiness poll. */
  servingToHealthy: number;
  /** GET /health/ requests the shell made. */
  polls: number;
  /** Of servingToHealthy: the SERVING line to the start of the request that got the 200 (the shell's event loop, the poll's wait). */
  pollWait: number;
  /** Of servingToHealthy: that request itself (in Node 20, the first fetch() also loads fetch's implementation). */
  pollRequest: number;
  /** First 200 to loadURL: in the stand-in, making the window's page in Chromium (CDP round trips). Not Django's time. */
  healthyToLoadUrl: number;
  /** First 200 to the worker's spawn (after healthy: not on the path), if the project has a worker. */
  workerAfterHealthy?: number;
  /** CPU used up to loadURL by Django's processes, by the shell's process from main.js start (the shell, the stand-in, Playwright), and by Chromium. */
  cpu: { python?: number; shell?: number; chromium?: number };
}

export interface AloneStart {
  /** Spawn to the SERVING line. */
  toServing: number;
  /** Spawn to the first 200. */
  toHealthy: number;
  /** CPU Django's processes used up to the first 200. */
  pythonCpu?: number;
}

const isHome = (url: string) => /^http:\/\/127\.0\.0\.1:\d+\/$/.test(url);
const isBackend = (event: StandinEvent) => event.name === "spawn" && (event.data.args as string[]).includes("desktop_serve");

/** The breakdown of one launch from the stand-in's events; throws if the events do not show a whole start. */
export function healthyPath(events: readonly StandinEvent[], mainStart: number, loadUrlAt: number): Omit<HealthyPath, "reloader" | "cpu"> & { healthyAt: number } {
  const backend = events.find(isBackend);
  if (!backend) throw new Error("The shell never spawned desktop_serve.");
  const spawnedAt = Number(backend.data.before);
  const serving = events.find((event) => event.name === "serving-line" && event.data.pid === backend.data.pid);
  const polls = events.filter((event) => event.name === "health-poll" && Number(event.data.started) >= spawnedAt);
  const healthy = polls.find((event) => event.data.status === 200);
  if (!serving || !healthy) throw new Error("The events show no SERVING line or no 200 from /health/.");
  const worker = events.find((event) => event.name === "spawn" && event !== backend && (event.data.args as string[]).some((arg) => arg.endsWith("manage.py")) && event.at >= healthy.at);
  const backupCopy = events.some((event) => event.name === "spawn" && (event.data.args as string[])[0] === "-I" && event.at <= spawnedAt);
  return {
    toSpawn: spawnedAt - mainStart,
    spawnCall: Number(backend.data.spawnMs),
    backupCopy,
    spawnToServing: serving.at - spawnedAt,
    servingToHealthy: healthy.at - serving.at,
    polls: polls.indexOf(healthy) + 1,
    pollWait: Number(healthy.data.started) - serving.at,
    pollRequest: healthy.at - Number(healthy.data.started),
    healthyToLoadUrl: loadUrlAt - healthy.at,
    ...(worker ? { workerAfterHealthy: Number(worker.data.before) - healthy.at } : {}),
    healthyAt: healthy.at,
  };
}

/** CPU of desktop_serve's process and, under --reload, its serving child. */
function pythonCpu(spawnedPid: number, servingPid: number | undefined): number | undefined {
  const own = readStat(spawnedPid)?.cpuMs;
  if (own === undefined) return undefined;
  return own + (servingPid !== undefined && servingPid !== spawnedPid ? (readStat(servingPid)?.cpuMs ?? 0) : 0);
}

async function oneLaunch(finalDir: string, chromium: SharedChromium, layout: "development" | "staged", userData: string): Promise<Omit<FirstPaint, "alone" | "windowless"> & { command: StandinEvent }> {
  const chromiumBefore = treeCpuMs(chromium.running.pid);
  const app = ShellProcess.launch(finalDir, chromium, { userData, env: layout === "staged" ? { DDS_BACKEND_LAYOUT: "staged" } : {} });
  try {
    const started = await app.event("host-started", () => true, 60_000);
    const windowId = await app.windowLoading(isHome, 120_000);
    // Read at once: after its first 200 Django idles, so this is about the CPU its start took.
    const command = app.events.find(isBackend)!;
    const servingPid = app.serving()[0]?.pid;
    const spawnedPid = Number(command.data.pid);
    const spawnedStart = readStat(spawnedPid)?.startMs;
    const childStart = servingPid !== undefined && servingPid !== spawnedPid ? readStat(servingPid)?.startMs : undefined;
    const chromiumNow = treeCpuMs(chromium.running.pid);
    const shellCpu = readStat(app.child.pid!)?.cpuMs;
    const cpu = {
      python: pythonCpu(spawnedPid, servingPid),
      shell: shellCpu === undefined ? undefined : shellCpu - Number(started.data.cpuMs),
      chromium: chromiumBefore !== undefined && chromiumNow !== undefined ? chromiumNow - chromiumBefore : undefined,
    };
    const page = await app.page(windowId);
    const deadline = Date.now() + 60_000;
    let paintedAt: number | undefined;
    while (paintedAt === undefined && Date.now() < deadline) {
      paintedAt = await page
        .evaluate(() => {
          const entry = performance.getEntriesByName("first-contentful-paint")[0];
          return entry && location.pathname === "/" ? performance.timeOrigin + entry.startTime : undefined;
        })
        .catch(() => undefined);
      if (paintedAt === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (paintedAt === undefined) throw new Error(`final/ (${layout}) never painted its home page:\n${app.tail()}`);
    // Quit as a user does (the splash may still be closing at first paint): the shell stops Django and the worker.
    await app.evaluate(({ electron }) => (electron.app as { quit: () => void }).quit());
    const { code } = await app.exited;
    if (code !== 0) throw new Error(`final/ (${layout}) exited with code ${code}:\n${app.tail()}`);
    const mainStart = Number(started.data.at);
    const ready = app.eventsNamed("ready")[0]!.at;
    const loadUrl = app.events.find((event) => event.name === "loadURL" && event.data.window === windowId)!.at;
    const { healthyAt, ...steps } = healthyPath(app.events, mainStart, loadUrl);
    return {
      fromSpawn: paintedAt - app.startedAt,
      fromMainJs: paintedAt - mainStart,
      toReady: ready - mainStart,
      toHealthy: healthyAt - mainStart,
      healthyToPaint: paintedAt - loadUrl,
      path: { ...steps, ...(spawnedStart !== undefined && childStart !== undefined ? { reloader: childStart - spawnedStart } : {}), cpu },
      command,
    };
  } finally {
    await app.kill();
  }
}

const TOKEN = randomBytes(32).toString("base64url");

function healthStatus(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = get({ host: "127.0.0.1", port, path: "/health/", headers: { "X-Desktop-Django-Token": TOKEN }, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.once("error", () => resolve(undefined));
  });
}

/** The command the shell spawned, started alone with the same interpreter, arguments, folder and contract variables (a new port and token). */
async function aloneStart(command: StandinEvent): Promise<AloneStart> {
  const port = await findFreePort();
  const contract = { ...(command.data.env as Record<string, string>), DESKTOP_DJANGO_PORT: String(port), DESKTOP_DJANGO_AUTH_TOKEN: TOKEN };
  const started = Date.now();
  const child = spawn(String(command.data.file), command.data.args as string[], {
    cwd: String(command.data.cwd),
    env: pythonEnvironment(process.env, contract),
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  let servingAt: number | undefined;
  let servingPid: number | undefined;
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (servingAt !== undefined || !line.startsWith("DESKTOP_DJANGO_SERVING ")) return;
    servingAt = Date.now();
    servingPid = (JSON.parse(line.slice("DESKTOP_DJANGO_SERVING ".length)) as { pid: number }).pid;
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  try {
    const deadline = started + 60_000;
    while ((await healthStatus(port)) !== 200) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`desktop_serve alone did not answer /health/:\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const healthyAt = Date.now();
    return { toServing: (servingAt ?? healthyAt) - started, toHealthy: healthyAt - started, pythonCpu: pythonCpu(child.pid!, servingPid) };
  } finally {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(-child.pid!, "SIGKILL");
    await exited;
  }
}

/**
 * The shell's start code, startApp() from final/src/app.ts, with the command the shell spawned: the same Python,
 * manage.py, contract variables, app-data folder and app version (so the backup check runs as in the shell).
 */
async function windowlessStart(command: StandinEvent, version: string): Promise<WindowlessStart> {
  const args = command.data.args as string[];
  const env = command.data.env as Record<string, string>;
  const started = Date.now();
  const running = await startApp({
    python: String(command.data.file),
    managePy: args[0]!,
    env,
    token: randomBytes(32).toString("base64url"),
    args: args.slice(2),
    currentVersion: version,
    logFile: path.join(env.DESKTOP_DJANGO_APP_DATA_DIR ?? os.tmpdir(), "logs", "bench-windowless.log"),
    log: () => undefined,
  });
  const toHealthy = Date.now() - started;
  await running.stop();
  return { toHealthy };
}

export type Layout = "development" | "staged";

/**
 * `runs` rounds per layout after one warm-up each (which also migrates a new database). Each round launches the shell
 * once and starts its desktop_serve command alone once, in a random order. Returns every sample, not medians.
 */
export async function measureFirstPaint(repoRoot: string, runs: number, stagedAvailable: boolean): Promise<Map<Layout, FirstPaint[]>> {
  const finalDir = path.join(repoRoot, "final");
  const results = new Map<Layout, FirstPaint[]>();
  const browser = findBrowser();
  if (!browser) {
    console.log("Launch to first paint: skipped, no browser found (set DDS_CHROMIUM, or run `npx playwright install chromium`).");
    return results;
  }
  console.log(describeBrowser(browser));
  // Always from the current source: a dist/ left from an older checkout would measure that checkout's shell.
  const build = spawnSync(process.execPath, [path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { cwd: finalDir, encoding: "utf8" });
  if (build.status !== 0) {
    console.log(`Launch to first paint: skipped, final/ does not build (npm run build -w final):\n${build.stdout}${build.stderr}`);
    return results;
  }
  const { version } = JSON.parse(readFileSync(path.join(finalDir, "package.json"), "utf8")) as { version: string };
  const chromium = await SharedChromium.start();
  const userData = mkdtempSync(path.join(os.tmpdir(), "dds-bench-userdata-"));
  try {
    const layouts: Layout[] = stagedAvailable ? ["development", "staged"] : ["development"];
    for (const layout of layouts) {
      const { command } = await oneLaunch(finalDir, chromium, layout, userData);
      await aloneStart(command);
      await windowlessStart(command, version);
      const samples: FirstPaint[] = [];
      for (let run = 0; run < runs; run += 1) {
        // The three starts of a round in a random order, so a busy moment does not always fall on the same one.
        let alone: AloneStart | undefined;
        let windowless: WindowlessStart | undefined;
        let launch: Omit<FirstPaint, "alone" | "windowless"> | undefined;
        for (const which of shuffled(["shell", "alone", "windowless"] as const)) {
          if (which === "alone") alone = await aloneStart(command);
          else if (which === "windowless") windowless = await windowlessStart(command, version);
          else {
            const { command: _spawned, ...measured } = await oneLaunch(finalDir, chromium, layout, userData);
            launch = measured;
          }
        }
        samples.push({ ...launch!, alone: alone!, windowless: windowless! });
      }
      results.set(layout, samples);
    }
  } finally {
    await chromium.close();
    rmSync(userData, { recursive: true, force: true });
  }
  return results;
}

/** Median and range of one number over the samples, as "median (low-high)"; "n/a" when a sample lacks it. */
export function spread(values: ReadonlyArray<number | undefined>): string {
  if (values.length === 0 || values.some((value) => value === undefined)) return "n/a";
  const numbers = values as number[];
  return `${Math.round(median(numbers))} (${Math.round(Math.min(...numbers))}-${Math.round(Math.max(...numbers))})`;
}
