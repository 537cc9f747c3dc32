/**
 * `npm run bench -w experiments/tauri`: the numbers of the docs page "Other
 * shells: Tauri", measured on this machine. It reports; it never fails
 * because a machine is slow.
 *
 * - start: from launching the release executable (under Xvfb, through
 *   tauri-driver) to the pony list in its window, on the staged backend,
 *   median of --runs launches (default 5), each with an existing database;
 *   next to it, interleaved, the Electron shell's own backend start (final's
 *   startApp(), what its main.ts awaits before the window) on the same bundle,
 *   since the Electron binary cannot be downloaded here;
 * - size: the release executable, the staged backend both shells ship, and,
 *   when `npm run pack -w final` has run, the Electron app's own resources.
 *
 * Needs `npm run build:release -w experiments/tauri` (or `-- --profile debug` after
 * `npm run build`) and `npm run stage -w final`.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { By, until } from "selenium-webdriver";
import { directorySize, formatMegabytes } from "../../../final/scripts/bundle.ts";
import { startApp } from "../../../final/src/app.ts";
import { contractEnv, resolveBackend } from "../../../final/src/backendRoot.ts";
import { generateToken } from "../../../final/src/token.ts";
import { launchApp, missingPrerequisite, startXvfb } from "../test/harness.ts";
import { shellBinary, workspaceDir } from "./binary.ts";

const USAGE = `Usage: npm run bench -w experiments/tauri [-- options]

Measures the Tauri shell's start to the pony list (under Xvfb, through
tauri-driver) next to the Electron shell's backend start, and the sizes of both.
Needs \`npm run build:release -w experiments/tauri\` and \`npm run stage -w final\`.

  --runs N             launches (default 5)
  --profile <name>     release or debug: which build to start (default release)
  --help               print this`;
if (process.argv.includes("--help")) {
  console.log(USAGE);
  process.exit(0);
}

const repoRoot = path.resolve(workspaceDir, "..", "..");
const stagedBundle = path.join(repoRoot, ".stage", "backend");
const { values } = parseArgs({ options: { runs: { type: "string", default: "5" }, profile: { type: "string", default: "release" } } });
const profile = values.profile === "debug" ? "debug" : "release";
const binary = shellBinary(profile);
const missing = missingPrerequisite(binary);
if (missing) {
  console.error(`Cannot measure: ${missing}.`);
  process.exit(1);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const xvfb = await startXvfb();
const home = mkdtempSync(path.join(tmpdir(), "dds-tauri-bench-"));
mkdirSync(path.join(home, "data"), { recursive: true });
const starts: number[] = [];
const electronStarts: number[] = [];
const directStarts: number[] = [];
try {
  // One launch first: it creates and seeds the database, which every measured launch then reuses.
  for (let run = 0; run <= Number(values.runs); run += 1) {
    const started = performance.now();
    const app = await launchApp(binary, { DISPLAY: xvfb.display, XDG_DATA_HOME: path.join(home, "data"), DDS_BACKEND_LAYOUT: "staged", NO_AT_BRIDGE: "1" });
    await app.driver.wait(until.elementLocated(By.css(".pony-row")), 120_000);
    const seconds = (performance.now() - started) / 1000;
    console.log(`${run === 0 ? "first launch (new database)" : `launch ${run}`}: ${seconds.toFixed(2)} s to the pony list`);
    if (run > 0) starts.push(seconds);
    await app.driver.close();
    await app.stop();

    // The same executable without WebDriver: launch until its Django prints the serving line.
    const direct = spawn(binary, [], { env: { ...process.env, DISPLAY: xvfb.display, XDG_DATA_HOME: path.join(home, "data"), DDS_BACKEND_LAYOUT: "staged", NO_AT_BRIDGE: "1" } });
    const directStarted = performance.now();
    await new Promise<void>((resolve) => direct.stdout.on("data", (chunk: Buffer) => chunk.includes("DESKTOP_DJANGO_SERVING") && resolve()));
    const directSeconds = (performance.now() - directStarted) / 1000;
    direct.kill();
    await new Promise((resolve) => direct.once("exit", resolve));
    console.log(`  Tauri launch to Django serving, no WebDriver: ${directSeconds.toFixed(2)} s`);
    if (run > 0) directStarts.push(directSeconds);

    const root = resolveBackend({ isPackaged: false, env: { DDS_BACKEND_LAYOUT: "staged" } });
    const token = generateToken();
    const appDataDir = path.join(home, "electron-data");
    const electronStarted = performance.now();
    const backend = await startApp({ python: root.python, managePy: root.managePy, env: contractEnv(root, appDataDir, token), token, logFile: path.join(appDataDir, "backend.log") });
    const electronSeconds = (performance.now() - electronStarted) / 1000;
    await backend.stop();
    console.log(`  Electron shell's startApp() to /health/: ${electronSeconds.toFixed(2)} s`);
    if (run > 0) electronStarts.push(electronSeconds);
  }
} finally {
  xvfb.stop();
  rmSync(home, { recursive: true, force: true });
}

const electronResources = path.join(repoRoot, "final", "out", "linux-unpacked", "resources", "app.asar");
const rows: [string, string][] = [
  ["Tauri: launch to pony list, median", `${median(starts).toFixed(2)} s (${starts.length} launches)`],
  ["Tauri: launch to Django serving (no WebDriver), median", `${median(directStarts).toFixed(2)} s`],
  ["Electron shell's startApp() to /health/ (no window), median", `${median(electronStarts).toFixed(2)} s`],
  [`Tauri: ${profile} executable`, formatMegabytes(statSync(binary).size)],
  ["staged backend (both shells)", formatMegabytes(directorySize(stagedBundle))],
];
try {
  rows.push(["Electron: app.asar (without the Electron runtime)", formatMegabytes(statSync(electronResources).size)]);
} catch {
  rows.push(["Electron: app.asar", "run `npm run pack -w final` to measure"]);
}
console.log(`\n| measure | value |\n| --- | --- |\n${rows.map(([name, value]) => `| ${name} | ${value} |`).join("\n")}`);
