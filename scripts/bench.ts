/**
 * `npm run bench`: how fast does the backend start, next to the physical limit?
 *
 * Cold start is measured from spawn to the first 200 from /health/, for four
 * ways of starting the same interpreter with the same settings:
 *
 *   floor        python + django.setup() + a bare stdlib HTTP server (scripts/bench/floor.py)
 *   floor-gc     the floor with desktop_serve's pause of the cycle collector (floor.py --pause-gc)
 *   two-process  `manage.py migrate`, then `manage.py runserver --noreload`, polled every 250 ms
 *   ours         `manage.py desktop_serve`, the one process every shell starts
 *
 * Runs are interleaved, in a new random order each round, so a busy moment
 * on the machine hits every variant alike; the ratios' bootstrap intervals
 * resample whole rounds for the same reason. Medians are reported,
 * for an existing database and for a brand-new one. Also: the idle resident
 * memory of desktop_serve and the size of the staged bundle.
 *
 * The target compares ours with the plain floor. desktop_serve pauses the
 * cycle collector while it starts, which the plain floor does not, so ours
 * is also compared with floor-gc: that ratio is what desktop_serve's own work
 * (migration check, seeding check, waitress) adds. Every start runs
 * django.setup(), so none can answer before floor-gc does: two-process/floor-gc
 * is the ceiling for two-process/ours on this machine, and is printed next to it.
 *
 * Then the home page (the pony list) at 10 ponies and at 50,000: time to the
 * whole response and its size, next to each other, against the goal of under
 * 150 ms and 200 KB at 50,000. Then the staged bundle's size by part.
 *
 * Last, launch to first contentful paint of final/'s home page in the
 * development and staged layouts, through the Electron stand-in
 * (scripts/bench/firstPaint.ts). That is not Electron's number, and the output
 * says so: it shows what the shell's own code adds between process start and
 * the first paint.
 *
 * It reports; it never fails because a machine is slow. Options: --runs N (default 15),
 * --only start|paint|home|size to run one section, --paint-runs N (launches per layout
 * for the first-paint numbers, default 5; 0 skips them).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { get } from "node:http";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
// The bench measures final/, the template a project copies, with final/'s own
// staging code; no chapter (a lesson) carries the bench's weight.
import { bundleSizeByPart, formatMegabytes, formatSizeTable } from "../final/scripts/bundle.ts";
import { buildLocalRuntimeArchive, buildWheelhouse, localRuntimeUnavailable } from "../final/scripts/localRuntime.ts";
import { isolatedPythonEnv, stageBackend } from "../final/scripts/stageBackend.ts";
import type { BundleManifest } from "../final/src/backendRoot.ts";
import { compressedSize } from "./bench/downloadSize.ts";
import { measureFirstPaint, spread, type FirstPaint } from "./bench/firstPaint.ts";
import { formatRatio, judge, median, ratioInterval, shuffled, type RatioInterval, type Verdict } from "./bench/stats.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const floorScript = path.join(repoRoot, "scripts", "bench", "floor.py");
const stagedBundle = path.join(repoRoot, ".stage", "backend");
const TOKEN_HEADER = "X-Desktop-Django-Token";
const FAST_POLL_MS = 5;
const STARTER_POLL_MS = 250;
const GIVE_UP_MS = 60_000;

const USAGE = `Usage: npm run bench -- [options]

Measures the backend's cold start next to the floor, the home page at 10 and
50,000 ponies, the staged bundle's size by part, and launch to first paint
under the Electron stand-in. It reports; it never fails because a machine is slow.

  --runs N         interleaved start rounds (default 15)
  --only SECTION   run one section: start, paint, home or size
  --paint-runs N   launches per layout for first paint (default 5; 0 skips them)
  --help           print this`;

function parseOptionsOrExit() {
  try {
    return parseArgs({
      options: { runs: { type: "string", default: "15" }, only: { type: "string" }, "paint-runs": { type: "string", default: "5" }, help: { type: "boolean" } },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}
const { values } = parseOptionsOrExit();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const runs = Math.max(1, Number(values.runs));
const paintRuns = Math.max(0, Number(values["paint-runs"]));
const SECTIONS = ["start", "paint", "home", "size"] as const;
if (values.only !== undefined && !SECTIONS.includes(values.only as (typeof SECTIONS)[number])) {
  console.error(`--only takes one of ${SECTIONS.join(", ")}; got "${values.only}".`);
  process.exit(2);
}
const wanted = (section: (typeof SECTIONS)[number]) => values.only === undefined || values.only === section;

interface Backend {
  description: string;
  python: string;
  managePy: string;
  djangoDir: string;
  settingsModule: string;
  bundleDir?: string;
}

function bundleBackend(bundleDir: string): Backend {
  const manifest = JSON.parse(readFileSync(path.join(bundleDir, "manifest.json"), "utf8")) as BundleManifest;
  const managePy = path.join(bundleDir, manifest.managePy);
  return {
    description: `staged bundle ${path.relative(repoRoot, bundleDir)} (Python ${manifest.pythonVersion}, ${manifest.runtime.kind})`,
    python: path.join(bundleDir, manifest.interpreter),
    managePy,
    djangoDir: path.dirname(managePy),
    settingsModule: manifest.settingsModule,
    bundleDir,
  };
}

/** The staged bundle; staged first from a local archive when there is none; django/.venv as the last resort. */
async function findBackend(): Promise<Backend> {
  if (existsSync(path.join(stagedBundle, "manifest.json"))) return bundleBackend(stagedBundle);
  const unavailable = localRuntimeUnavailable();
  if (!unavailable) {
    console.log("No staged bundle in .stage/backend: staging one from a local runtime archive first.\n");
    const cacheDir = path.join(repoRoot, ".stage", "cache");
    const venvPython = path.join(repoRoot, "django", ".venv", "bin", "python");
    const archive = await buildLocalRuntimeArchive(cacheDir);
    const wheelhouse = buildWheelhouse(cacheDir, path.join(repoRoot, "django", "requirements.txt"), venvPython);
    await stageBackend({ pythonArchive: archive.file, pythonSha256: archive.sha256, wheelhouse });
    console.log("");
    return bundleBackend(stagedBundle);
  }
  console.log(
    `Note: no staged bundle, and none can be staged offline here (${unavailable}).\n` +
      "Measuring django/.venv with the development settings instead; run `npm run stage -w chapters/04-bundled-python` for the packaged numbers.\n",
  );
  const venv = path.join(repoRoot, "django", ".venv");
  const python = process.platform === "win32" ? path.join(venv, "Scripts", "python.exe") : path.join(venv, "bin", "python");
  return {
    description: "django/.venv (development settings)",
    python,
    managePy: path.join(repoRoot, "django", "manage.py"),
    djangoDir: path.join(repoRoot, "django"),
    settingsModule: "desktop_django_starter.settings.dev",
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

const token = randomBytes(32).toString("base64url");

function contractEnv(backend: Backend, appDataDir: string, port: number): NodeJS.ProcessEnv {
  return isolatedPythonEnv({
    DJANGO_SETTINGS_MODULE: backend.settingsModule,
    DESKTOP_DJANGO_HOST: "127.0.0.1",
    DESKTOP_DJANGO_PORT: String(port),
    DESKTOP_DJANGO_AUTH_TOKEN: token,
    DESKTOP_DJANGO_APP_DATA_DIR: appDataDir,
    ...(backend.bundleDir ? { DESKTOP_DJANGO_BUNDLE_DIR: backend.bundleDir } : {}),
  });
}

function launch(python: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): ChildProcess {
  // stdin stays an open pipe: desktop_serve exits when it closes.
  return spawn(python, args, { env, cwd, stdio: ["pipe", "ignore", "pipe"], detached: process.platform !== "win32", windowsHide: true });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  if (process.platform === "win32") spawnSync("taskkill", ["/pid", String(child.pid), "/T", "/F"], { stdio: "ignore" });
  else process.kill(-child.pid!, "SIGKILL");
  return exited;
}

/** One GET /health/ on a fresh connection (cheaper than fetch, which matters when polling every few ms on 2 cores). */
function healthStatus(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = get({ host: "127.0.0.1", port, path: "/health/", headers: { [TOKEN_HEADER]: token }, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.once("error", () => resolve(undefined));
  });
}

/** Polls /health/ until the first 200; rejects if the process exits first. */
async function firstHealthy(port: number, child: ChildProcess, intervalMs: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + GIVE_UP_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode} before /health/ answered:\n${stderr()}`);
    if ((await healthStatus(port)) === 200) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`no 200 from /health/ within ${GIVE_UP_MS / 1000} s:\n${stderr()}`);
}

function collectStderr(child: ChildProcess): () => string {
  let text = "";
  child.stderr?.on("data", (chunk: Buffer) => (text = (text + chunk.toString()).slice(-4000)));
  return () => text;
}

type Variant = "floor" | "floor-gc" | "two-process" | "ours";
const VARIANTS: Variant[] = ["floor", "floor-gc", "two-process", "ours"];
const CELLS = (["existing", "new"] as const).flatMap((database) => VARIANTS.map((variant) => [database, variant] as const));
/** A pause before each start, so the previous run's processes are fully gone. */
const SETTLE_MS = 150;

interface ColdStart {
  /** From the first spawn to the first 200. */
  ms: number;
  /** Two-process only: how long `migrate` took, before runserver was spawned. */
  migrateMs?: number;
  child: ChildProcess;
}

/** One cold start. Leaves the server running when asked (for the memory reading). */
async function coldStart(variant: Variant, backend: Backend, appDataDir: string, keep = false): Promise<ColdStart> {
  const port = await freePort();
  const env = contractEnv(backend, appDataDir, port);
  const started = performance.now();
  let child: ChildProcess;
  let interval = FAST_POLL_MS;
  let migrateMs: number | undefined;
  if (variant === "floor" || variant === "floor-gc") {
    const pauseGc = variant === "floor-gc" ? ["--pause-gc"] : [];
    child = launch(backend.python, [floorScript, backend.djangoDir, ...pauseGc], env, backend.djangoDir);
  } else if (variant === "ours") {
    child = launch(backend.python, [backend.managePy, "desktop_serve"], env, backend.djangoDir);
  } else {
    const migrate = launch(backend.python, [backend.managePy, "migrate", "--noinput"], env, backend.djangoDir);
    const migrateErrors = collectStderr(migrate);
    const code = await new Promise<number | null>((resolve) => migrate.once("exit", resolve));
    if (code !== 0) throw new Error(`manage.py migrate failed with code ${code}:\n${migrateErrors()}`);
    migrateMs = performance.now() - started;
    child = launch(backend.python, [backend.managePy, "runserver", "--noreload", `127.0.0.1:${port}`], env, backend.djangoDir);
    interval = STARTER_POLL_MS;
  }
  const stderr = collectStderr(child);
  try {
    await firstHealthy(port, child, interval, stderr);
  } catch (error) {
    await stop(child);
    throw new Error(`${variant}: ${(error as Error).message}`);
  }
  const ms = performance.now() - started;
  if (!keep) await stop(child);
  return { ms, migrateMs, child };
}

/** Resident memory of a process, in bytes, on macOS and Linux. */
function residentBytes(pid: number): number | undefined {
  if (process.platform === "win32") return undefined;
  const result = spawnSync("ps", ["-o", "rss=", "-p", String(pid)], { encoding: "utf8" });
  const kilobytes = Number(result.stdout.trim());
  return result.status === 0 && kilobytes > 0 ? kilobytes * 1024 : undefined;
}

const pad = (text: string, width: number) => text.padStart(width);
const ms = (value: number) => `${Math.round(value)} ms`;

const OURS_TO_FLOOR = { atMost: 1.1 };
const TWO_PROCESS_TO_OURS = { atLeast: 3 };

/** What the intervals on an existing database say about the two targets, in plain words. */
function verdictSentence(oursToFloor: RatioInterval, twoProcessToOurs: RatioInterval, ceiling: RatioInterval): string {
  const words: Record<Verdict, [string, string]> = {
    met: [`ours is within ${OURS_TO_FLOOR.atMost}x of the floor`, "at least 3x faster than the two-process start"],
    missed: [`ours is MORE than ${OURS_TO_FLOOR.atMost}x the floor`, "LESS than 3x faster than the two-process start"],
    unclear: [`${runs} runs cannot tell whether ours is within ${OURS_TO_FLOOR.atMost}x of the floor`, `${runs} runs cannot tell whether it is 3x faster than the two-process start`],
  };
  const first = judge(oursToFloor, OURS_TO_FLOOR);
  const second = judge(twoProcessToOurs, TWO_PROCESS_TO_OURS);
  const lines = [`On an existing database, ${words[first][0]}, and ${words[second][1]}.`];
  const ceilingVerdict = judge(ceiling, TWO_PROCESS_TO_OURS);
  if (second !== "met" && ceilingVerdict !== "met") {
    // Every start runs django.setup(), so none can answer before floor-gc does.
    const atTheFloor =
      "No backend can start faster than the floor with the collector paused, so on this machine even one that answered at that floor would be " +
      `${formatRatio(ceiling)} faster than the two-process start`;
    lines.push(
      ceilingVerdict === "missed"
        ? `${atTheFloor}, under 3x: that start is two Django starts plus migrate's and runserver's own work and the poll wait, which here add up to less than three floors.`
        : `${atTheFloor}, about 3x: the target leaves no time for what a desktop start does beyond django.setup() (the migration and seeding checks, a production server).`,
    );
  }
  if (first === "unclear" || second === "unclear") {
    lines.push(`More rounds narrow the intervals: \`npm run bench -- --runs ${runs * 2}\`, on a machine doing nothing else.`);
  }
  return lines.join("\n");
}

/** Cold starts of the four variants, on an existing and on a new database, and the idle memory of ours. */
async function startTimes(backend: Backend): Promise<void> {
  console.log(`Cold start = spawn to first 200 from /health/; median of ${runs} interleaved runs per cell (after one warm-up each).\n`);
  const existingDb = tempDir("dds-bench-existing-");
  const scratch: string[] = [existingDb];
  try {
    // Warm-up: fills the OS file cache and creates the "existing" database (migrated and seeded).
    await coldStart("ours", backend, existingDb);
    for (const variant of VARIANTS) await coldStart(variant, backend, existingDb);

    const results: Record<"existing" | "new", Record<Variant, number[]>> = {
      existing: { floor: [], "floor-gc": [], "two-process": [], ours: [] },
      new: { floor: [], "floor-gc": [], "two-process": [], ours: [] },
    };
    /** Two-process on an existing database: how long `migrate` took in each run. */
    const migrateOnly: number[] = [];
    for (let round = 0; round < runs; round += 1) {
      // A new random order each round, so no variant always runs right after another
      // (the two-process start leaves more for the system to clean up than the others).
      for (const [database, variant] of shuffled(CELLS)) {
        const appDataDir = database === "existing" ? existingDb : tempDir("dds-bench-new-");
        if (database === "new") scratch.push(appDataDir);
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        const start = await coldStart(variant, backend, appDataDir);
        results[database][variant].push(start.ms);
        if (start.migrateMs !== undefined && database === "existing") migrateOnly.push(start.migrateMs);
      }
      if (process.stdout.isTTY) process.stdout.write(`\rround ${round + 1} of ${runs} done`);
    }
    if (process.stdout.isTTY) process.stdout.write("\n\n");

    const medians = (database: "existing" | "new") => Object.fromEntries(VARIANTS.map((variant) => [variant, median(results[database][variant])])) as Record<Variant, number>;
    const existing = medians("existing");
    const fresh = medians("new");
    const ratios = (database: "existing" | "new") => ({
      // Run i of every variant is from round i: the intervals resample whole rounds.
      oursToFloor: ratioInterval(results[database].ours, results[database].floor, { paired: true }),
      oursToFloorGc: ratioInterval(results[database].ours, results[database]["floor-gc"], { paired: true }),
      twoProcessToOurs: ratioInterval(results[database]["two-process"], results[database].ours, { paired: true }),
      ceiling: ratioInterval(results[database]["two-process"], results[database]["floor-gc"], { paired: true }),
    });
    const onExisting = ratios("existing");
    const onNew = ratios("new");
    const rows: Array<[string, string, string]> = [
      ["(a) floor: django.setup() + stdlib http.server", ms(existing.floor), ms(fresh.floor)],
      ["(a') floor-gc: the floor, collector paused", ms(existing["floor-gc"]), ms(fresh["floor-gc"])],
      ["(b) two-process: migrate, then runserver", ms(existing["two-process"]), ms(fresh["two-process"])],
      ["(c) ours: desktop_serve", ms(existing.ours), ms(fresh.ours)],
      [`ours / floor        (target <= ${OURS_TO_FLOOR.atMost}x, existing DB)`, formatRatio(onExisting.oursToFloor), formatRatio(onNew.oursToFloor)],
      ["ours / floor-gc     (what desktop_serve's work adds)", formatRatio(onExisting.oursToFloorGc), formatRatio(onNew.oursToFloorGc)],
      ["two-process / ours  (target >= 3x)", formatRatio(onExisting.twoProcessToOurs), formatRatio(onNew.twoProcessToOurs)],
      ["two-process / floor-gc (ceiling for any backend)", formatRatio(onExisting.ceiling), formatRatio(onNew.ceiling)],
    ];
    console.log(`${"".padEnd(50)}${pad("existing DB", 20)}${pad("new DB", 20)}`);
    for (const [label, a, b] of rows) console.log(`${label.padEnd(50)}${pad(a, 20)}${pad(b, 20)}`);
    console.log(
      "Each ratio is followed by its 95% bootstrap interval: where the ratio of the medians would likely land if the runs were repeated.\n" +
        "Every round starts each variant once, in a new order, and the interval resamples whole rounds, so a busy moment that slows a round slows both sides of a ratio.",
    );
    const migrateMedian = median(migrateOnly);
    console.log(
      `\nWhere the two-process start spends its time (existing DB): \`migrate\` ${ms(migrateMedian)}, ` +
        `then runserver to its first polled 200 ${ms(existing["two-process"] - migrateMedian)}.`,
    );

    const { child } = await coldStart("ours", backend, existingDb, true);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const rss = residentBytes(child.pid!);
    await stop(child);
    console.log("");
    console.log(`Idle resident memory of desktop_serve (2 s after start): ${rss === undefined ? "not measured on Windows" : formatMegabytes(rss)}`);
    console.log(`\n${verdictSentence(onExisting.oursToFloor, onExisting.twoProcessToOurs, onExisting.ceiling)}`);
  } finally {
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  }
}

/** final/'s launch to first contentful paint, through the Electron stand-in, with the path to Django healthy broken down. */
async function printFirstPaint(backend: Backend): Promise<void> {
  console.log(`\nLaunch to first contentful paint of final/'s home page (${paintRuns} rounds per layout after a warm-up; median (lowest-highest), ms):`);
  const staged = backend.bundleDir === stagedBundle;
  const paints = await measureFirstPaint(repoRoot, paintRuns, staged);
  for (const [layout, samples] of paints) {
    const of = (pick: (sample: FirstPaint) => number | undefined) => spread(samples.map(pick));
    const differences = samples.map((sample) => sample.path.toSpawn + sample.path.spawnToServing + sample.path.servingToHealthy - sample.alone.toHealthy);
    const fromSpawn = samples.map((sample) => sample.path.spawnToServing + sample.path.servingToHealthy - sample.alone.toHealthy);
    const cpuDifferences = samples.map((sample) => (sample.path.cpu.python === undefined || sample.alone.pythonCpu === undefined ? undefined : sample.path.cpu.python - sample.alone.pythonCpu));
    const rows: Array<[string, string]> = [
      ["from process start to first paint", of((one) => one.fromSpawn)],
      ["from the shell's main.js start to first paint", of((one) => one.fromMainJs)],
      ["main.js start to app ready (stand-in: CDP connect)", of((one) => one.toReady)],
      ["Django healthy alone: spawn to first 200 (same rounds)", of((one) => one.alone.toHealthy)],
      ["Django healthy in the shell: main.js start to first 200", of((one) => one.toHealthy)],
      ["  difference, in the shell minus alone", spread(differences)],
      ["  of it after the spawn (shell's spawn-to-200 minus alone)", spread(fromSpawn)],
      ["Django healthy from the shell's start code without a window", of((one) => one.windowless.toHealthy)],
      ["  (startApp() under Node, no stand-in, no Chromium) minus alone", spread(samples.map((one) => one.windowless.toHealthy - one.alone.toHealthy))],
      ["breakdown: main.js start to spawn (modules, checks, port, log)", of((one) => one.path.toSpawn)],
      ["  the spawn call itself", of((one) => one.path.spawnCall)],
      ["  spawn to SERVING line in the shell", of((one) => one.path.spawnToServing)],
      ["  alone: spawn to SERVING line", of((one) => one.alone.toServing)],
      ...(layout === "development" ? ([["  of it, --reload's first process until its child starts", of((one) => one.path.reloader)]] as Array<[string, string]>) : []),
      ["  SERVING line to first 200 (readiness poll)", of((one) => one.path.servingToHealthy)],
      ["    SERVING line to the start of the request that got it", of((one) => one.path.pollWait)],
      ["    that request's own time", of((one) => one.path.pollRequest)],
      ["  /health/ requests until the first 200", of((one) => one.path.polls)],
      ["after healthy: first 200 to loadURL (stand-in makes the page)", of((one) => one.path.healthyToLoadUrl)],
      ["  first 200 to the worker's spawn", of((one) => one.path.workerAfterHealthy)],
      ["  loadURL to first paint", of((one) => one.healthyToPaint)],
      ["CPU to loadURL: Django's processes in the shell", of((one) => one.path.cpu.python)],
      ["  Django's processes alone, to first 200", of((one) => one.alone.pythonCpu)],
      ["  difference, in the shell minus alone", spread(cpuDifferences)],
      ["  the shell's process from main.js start (shell, stand-in, Playwright)", of((one) => one.path.cpu.shell)],
      ["  Chromium, during the launch", of((one) => one.path.cpu.chromium)],
    ];
    console.log(`  ${layout} layout${samples.some((one) => one.path.backupCopy) ? " (a backup copy ran before Django in some rounds)" : ""}:`);
    for (const [label, value] of rows) console.log(`    ${label.padEnd(66)}${pad(value, 22)}`);
  }
  if (!staged) console.log("  staged layout: not measured (no bundle in .stage/backend; `npm run stage -w final` makes one).");
  console.log(
    "  NOT Electron's number: this is the shell's compiled main.js under Node with the Electron stand-in (tests/electron-standin/),\n" +
      "  its window a page in an already running Chromium. Electron's own start and its browser start are not in it; it shows what\n" +
      "  the shell's code puts on the path from process start to the first paint (Django's start, /health/, the window, the page).\n" +
      "  The breakdown comes from the stand-in's events (spawns, the SERVING line reaching the shell, each /health/ request) and\n" +
      "  the CPU from /proc (Linux only; n/a elsewhere). CPU does not depend on waiting for a core: on a busy machine, trust it over wall time.",
  );
}

const HOME_PAGE_SIZES = [10, 50_000];
const HOME_PAGE_GOAL = { ms: 150, bytes: 200_000, ponies: 50_000 };

/** One GET of `pagePath` with the token: time to the last byte, and the body's size. */
function timedGet(port: number, pagePath: string): Promise<{ ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = get({ host: "127.0.0.1", port, path: pagePath, headers: { [TOKEN_HEADER]: token }, agent: false }, (response) => {
      let bytes = 0;
      response.on("data", (chunk: Buffer) => (bytes += chunk.length));
      response.on("end", () => (response.statusCode === 200 ? resolve({ ms: performance.now() - started, bytes }) : reject(new Error(`GET ${pagePath} answered ${response.statusCode}`))));
    });
    request.once("error", reject);
  });
}

/** Fills the stable to `count` ponies with Django's own shell, in the app-data folder desktop_serve already migrated and seeded. */
function fillStable(backend: Backend, appDataDir: string, count: number): void {
  const code = [
    "from example_app.models import Item",
    "statuses = list(Item.Status.values)",
    `missing = ${count} - Item.objects.count()`,
    "Item.objects.bulk_create((Item(title=f'Bench pony {n}', notes=f'Pony number {n}: likes hay, clover and long gallops at dawn.', status=statuses[n % 3]) for n in range(missing)), batch_size=2000)",
  ].join("\n");
  const result = spawnSync(backend.python, [backend.managePy, "shell", "-c", code], { env: contractEnv(backend, appDataDir, 0), cwd: backend.djangoDir, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`Filling the stable with ${count} ponies failed:\n${result.stderr}`);
}

interface PageTimes {
  first: number[];
  last: number[];
  firstBytes: number;
  lastBytes: number;
}

/** The home page's first and last page, `runs` times each after a warm-up, on a stable of `count` ponies. */
async function homePageAt(backend: Backend, count: number, scratch: string[]): Promise<PageTimes> {
  const appDataDir = tempDir("dds-bench-home-");
  scratch.push(appDataDir);
  await coldStart("ours", backend, appDataDir); // migrates and seeds the starter ponies
  fillStable(backend, appDataDir, count);
  const port = await freePort();
  const child = launch(backend.python, [backend.managePy, "desktop_serve"], contractEnv(backend, appDataDir, port), backend.djangoDir);
  try {
    await firstHealthy(port, child, FAST_POLL_MS, collectStderr(child));
    const lastPage = `/?page=${Math.max(1, Math.ceil(count / 25))}`;
    const times: PageTimes = { first: [], last: [], firstBytes: 0, lastBytes: 0 };
    await timedGet(port, "/");
    await timedGet(port, lastPage);
    for (let round = 0; round < runs; round += 1) {
      const first = await timedGet(port, "/");
      const last = await timedGet(port, lastPage);
      times.first.push(first.ms);
      times.last.push(last.ms);
      times.firstBytes = first.bytes;
      times.lastBytes = last.bytes;
    }
    return times;
  } finally {
    await stop(child);
  }
}

const kilobytes = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

/** The pony list at 10 and 50,000 ponies, side by side, and whether the big stable meets the goal. */
async function homePage(backend: Backend): Promise<void> {
  console.log(`Home page = GET / with the token, time to the last byte, median of ${runs} requests (after one warm-up), on a stable of 10 and of 50,000 ponies.\n`);
  const scratch: string[] = [];
  try {
    const [small, big] = [await homePageAt(backend, HOME_PAGE_SIZES[0]!, scratch), await homePageAt(backend, HOME_PAGE_SIZES[1]!, scratch)];
    const rows: Array<[string, string, string]> = [
      ["first page: time", ms(median(small.first)), ms(median(big.first))],
      ["first page: size", kilobytes(small.firstBytes), kilobytes(big.firstBytes)],
      ["last page: time", ms(median(small.last)), ms(median(big.last))],
      ["last page: size", kilobytes(small.lastBytes), kilobytes(big.lastBytes)],
      ["50,000 / 10, first page time", "", formatRatio(ratioInterval(big.first, small.first))],
    ];
    console.log(`${"".padEnd(50)}${pad("10 ponies", 20)}${pad("50,000 ponies", 20)}`);
    for (const [label, a, b] of rows) console.log(`${label.padEnd(50)}${pad(a, 20)}${pad(b, 20)}`);
    const time = median(big.first);
    const verdict = (met: boolean) => (met ? "met" : "MISSED");
    console.log(
      `\nGoal for the home page (the first page) at ${HOME_PAGE_GOAL.ponies.toLocaleString("en")} ponies: ` +
        `under ${HOME_PAGE_GOAL.ms} ms (${verdict(time < HOME_PAGE_GOAL.ms)}: ${ms(time)}) and under ${HOME_PAGE_GOAL.bytes / 1000} KB (${verdict(big.firstBytes < HOME_PAGE_GOAL.bytes)}: ${kilobytes(big.firstBytes)}).`,
    );
  } finally {
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  }
}

/** What the staged bundle is made of, on disk and about as a download. */
async function bundleSize(backend: Backend): Promise<void> {
  if (!backend.bundleDir) {
    console.log("Bundle size: no staged bundle to measure.");
    return;
  }
  for (const line of formatSizeTable(bundleSizeByPart(backend.bundleDir))) console.log(line);
  const compressed = await compressedSize(backend.bundleDir);
  console.log(
    `  compressed as a download, about: ${formatMegabytes(compressed)} (every file in one Brotli stream, quality 6;\n` +
      "  installers compress with LZMA/xz, zstd or zlib, so this stands for them, it is none of them)",
  );
}

async function main(): Promise<void> {
  const backend = await findBackend();
  console.log(`Backend: ${backend.description}`);
  console.log(`Interpreter: ${path.relative(repoRoot, backend.python) || backend.python}`);
  console.log(`Machine: ${os.cpus().length} CPUs, ${os.platform()} ${os.arch()}, Node ${process.version}\n`);
  if (wanted("start")) await startTimes(backend);
  if (wanted("paint") && paintRuns > 0) await printFirstPaint(backend);
  if (wanted("home")) {
    if (wanted("start")) console.log("");
    await homePage(backend);
  }
  if (wanted("size")) {
    if (values.only === undefined) console.log("");
    await bundleSize(backend);
  }
}

main().catch((error: Error) => {
  console.error(`\nThe benchmark could not run: ${error.message}`);
  process.exit(1);
});
