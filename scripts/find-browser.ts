/**
 * The Chromium-family browser the browser suites drive (the Playwright browser
 * tests, the Electron stand-in, the first-paint benchmark), found in this order:
 *
 *   1. DDS_CHROMIUM, the path of a browser's executable;
 *   2. the Chromium `npx playwright install chromium` put in Playwright's cache;
 *   3. Google Chrome, then Microsoft Edge, where Playwright's "chrome" and
 *      "msedge" channels look for them;
 *   4. a system Chromium at its usual path (Debian/Ubuntu packages and snap,
 *      Chromium.app on macOS, Chromium's per-user or machine-wide install on Windows).
 *
 * findBrowser() only looks; `npm test` (scripts/test.ts) calls ensureBrowser(),
 * which also tries `npx playwright install chromium` once when nothing is found.
 */
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

export interface FoundBrowser {
  /** The executable to start. */
  executablePath: string;
  /** Where it came from, for the one line that names it. */
  source: string;
  /** Playwright's channel for Chrome or Edge, which Playwright's own launcher can use instead of the path. */
  channel?: "chrome" | "msedge";
}

/** What findBrowser looks at; tests pass a fake filesystem and environment. */
export interface BrowserProbe {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  home: string;
  exists(file: string): boolean;
  /** Where Playwright's own Chromium is, installed or not. */
  playwrightChromium(): string | undefined;
}

/** A browser setting that cannot work (DDS_CHROMIUM names no file), or no browser at all. */
export class BrowserSetupError extends Error {}

export const NO_BROWSER =
  "No browser for the browser tests, and `npx playwright install chromium` could not fetch one: " +
  "install Google Chrome or Chromium, or set DDS_CHROMIUM to a Chromium-based browser's executable " +
  "(for example DDS_CHROMIUM=/usr/bin/chromium).";

export function realProbe(): BrowserProbe {
  return {
    platform: process.platform,
    env: process.env,
    home: os.homedir(),
    exists: existsSync,
    playwrightChromium: () => {
      try {
        return chromium.executablePath();
      } catch {
        return undefined;
      }
    },
  };
}

/** Where Playwright's channels look for Chrome and Edge (Windows: under each of these folders). */
const CHANNELS: { channel: "chrome" | "msedge"; name: string; at: Partial<Record<NodeJS.Platform, string>> }[] = [
  {
    channel: "chrome",
    name: "Google Chrome",
    at: {
      linux: "/opt/google/chrome/chrome",
      darwin: "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
      win32: "Google\\Chrome\\Application\\chrome.exe",
    },
  },
  {
    channel: "msedge",
    name: "Microsoft Edge",
    at: {
      linux: "/opt/microsoft/msedge/msedge",
      darwin: "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
      win32: "Microsoft\\Edge\\Application\\msedge.exe",
    },
  },
];

/** Windows installs per user (LOCALAPPDATA) or per machine (Program Files, either one). */
function windowsRoots(env: BrowserProbe["env"]): string[] {
  return [env.LOCALAPPDATA, env.PROGRAMFILES, env["PROGRAMFILES(X86)"]].filter((root): root is string => Boolean(root));
}

function systemChromiums(probe: BrowserProbe): string[] {
  switch (probe.platform) {
    case "darwin":
      return ["/Applications/Chromium.app/Contents/MacOS/Chromium", path.posix.join(probe.home, "Applications/Chromium.app/Contents/MacOS/Chromium")];
    case "win32":
      return windowsRoots(probe.env).map((root) => path.win32.join(root, "Chromium\\Application\\chrome.exe"));
    default:
      return ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium"];
  }
}

/** The first browser in the order above, or undefined. Throws BrowserSetupError when DDS_CHROMIUM names no file. */
export function findBrowser(probe: BrowserProbe = realProbe()): FoundBrowser | undefined {
  const override = probe.env.DDS_CHROMIUM;
  if (override) {
    if (!probe.exists(override)) throw new BrowserSetupError(`DDS_CHROMIUM=${override} names no file: point it at a Chromium-based browser's executable, or unset it to let the tests find one.`);
    return { executablePath: override, source: "DDS_CHROMIUM" };
  }
  const playwrights = probe.playwrightChromium();
  if (playwrights && probe.exists(playwrights)) return { executablePath: playwrights, source: "Playwright's Chromium" };
  for (const { channel, name, at } of CHANNELS) {
    const suffix = at[probe.platform];
    if (!suffix) continue;
    const candidates = probe.platform === "win32" ? windowsRoots(probe.env).map((root) => path.win32.join(root, suffix)) : [suffix];
    const found = candidates.find((candidate) => probe.exists(candidate));
    if (found) return { executablePath: found, source: `${name} (Playwright's "${channel}" channel)`, channel };
  }
  const system = systemChromiums(probe).find((candidate) => probe.exists(candidate));
  return system ? { executablePath: system, source: "the system's Chromium" } : undefined;
}

/** The one line that names the browser. */
export function describeBrowser(browser: FoundBrowser): string {
  return `Browser for the browser tests: ${browser.executablePath} (${browser.source}).`;
}

/**
 * The browser, looked for and, when none is there, fetched once with
 * `npx playwright install chromium` (`install` runs it; true when it exited 0).
 * Throws BrowserSetupError with one line saying what to install or set.
 */
export function ensureBrowser(install: () => boolean, probe: BrowserProbe = realProbe()): FoundBrowser {
  const found = findBrowser(probe);
  if (found) return found;
  console.log("No browser found for the browser tests: trying `npx playwright install chromium` once.");
  const fetched = install() ? findBrowser(probe) : undefined;
  if (!fetched) throw new BrowserSetupError(NO_BROWSER);
  return fetched;
}
