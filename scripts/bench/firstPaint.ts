/**
 * Launch to first contentful paint of final/'s home page, through the Electron
 * stand-in (tests/electron-standin/): the shell's compiled main.js under Node,
 * its window a page in the browser the browser tests use (scripts/find-browser.ts), already running. It is NOT
 * Electron's number (no Electron start, no browser start); it shows whether
 * the shell's own code adds anything to the critical path between the
 * process starting and the home page painting.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describeBrowser, findBrowser } from "../find-browser.ts";
import { SharedChromium, ShellProcess } from "../../tests/electron-standin/harness.ts";
import { median } from "./stats.ts";

export interface FirstPaint {
  /** Process spawned to the home page's first contentful paint. */
  fromSpawn: number;
  /** The shell's main.js starting to load (after Node, tsx and Playwright) to the same paint. */
  fromMainJs: number;
  /** main.js start to app "ready" (in the stand-in: connecting to Chromium). */
  toReady: number;
  /** main.js start to the main window's loadURL, i.e. Django answered /health/. */
  toHealthy: number;
  /** The main window's loadURL to the first paint: the window, the page's requests, rendering. */
  healthyToPaint: number;
}

const isHome = (url: string) => /^http:\/\/127\.0\.0\.1:\d+\/$/.test(url);

async function oneLaunch(finalDir: string, chromium: SharedChromium, layout: "development" | "staged", userData: string): Promise<FirstPaint> {
  const app = ShellProcess.launch(finalDir, chromium, { userData, env: layout === "staged" ? { DDS_BACKEND_LAYOUT: "staged" } : {} });
  try {
    const started = await app.event("host-started", () => true, 60_000);
    const windowId = await app.windowLoading(isHome, 120_000);
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
    const healthy = app.events.find((event) => event.name === "loadURL" && event.data.window === windowId)!.at;
    return { fromSpawn: paintedAt - app.startedAt, fromMainJs: paintedAt - mainStart, toReady: ready - mainStart, toHealthy: healthy - mainStart, healthyToPaint: paintedAt - healthy };
  } finally {
    await app.kill();
  }
}

/** Medians over `runs` launches per layout, after one warm-up each (which also migrates a new database). */
export async function measureFirstPaint(repoRoot: string, runs: number, stagedAvailable: boolean): Promise<Map<string, FirstPaint>> {
  const finalDir = path.join(repoRoot, "final");
  const results = new Map<string, FirstPaint>();
  const browser = findBrowser();
  if (!browser) {
    console.log("Launch to first paint: skipped, no browser found (set DDS_CHROMIUM, or run `npx playwright install chromium`).");
    return results;
  }
  console.log(describeBrowser(browser));
  if (!existsSync(path.join(finalDir, "dist", "main.js"))) {
    console.log("Launch to first paint: skipped, final/ is not built (npm run build -w final).");
    return results;
  }
  const chromium = await SharedChromium.start();
  const userData = mkdtempSync(path.join(os.tmpdir(), "dds-bench-userdata-"));
  try {
    const layouts = stagedAvailable ? (["development", "staged"] as const) : (["development"] as const);
    for (const layout of layouts) {
      await oneLaunch(finalDir, chromium, layout, userData);
      const samples: FirstPaint[] = [];
      for (let run = 0; run < runs; run += 1) samples.push(await oneLaunch(finalDir, chromium, layout, userData));
      const middle = (key: keyof FirstPaint) => median(samples.map((one) => one[key]));
      results.set(layout, {
        fromSpawn: middle("fromSpawn"),
        fromMainJs: middle("fromMainJs"),
        toReady: middle("toReady"),
        toHealthy: middle("toHealthy"),
        healthyToPaint: middle("healthyToPaint"),
      });
    }
  } finally {
    await chromium.close();
    rmSync(userData, { recursive: true, force: true });
  }
  return results;
}
