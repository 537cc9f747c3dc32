/**
 * scripts/find-browser.ts over a fake filesystem and environment: the order
 * (DDS_CHROMIUM, Playwright's Chromium, Chrome, Edge, a system Chromium), each
 * platform's usual places, and ensureBrowser's one fetch and one-line failure.
 */
import { describe, expect, it, vi } from "vitest";
import { BrowserSetupError, describeBrowser, ensureBrowser, findBrowser, NO_BROWSER, type BrowserProbe } from "../scripts/find-browser.ts";

const PLAYWRIGHT_LINUX = "/home/jane/.cache/ms-playwright/chromium-1200/chrome-linux64/chrome";
const WINDOWS_ENV = {
  LOCALAPPDATA: "C:\\Users\\Jane Doe\\AppData\\Local",
  PROGRAMFILES: "C:\\Program Files",
  "PROGRAMFILES(X86)": "C:\\Program Files (x86)",
};

function probe(platform: NodeJS.Platform, files: string[], env: Record<string, string> = {}, playwright = PLAYWRIGHT_LINUX): BrowserProbe & { files: Set<string> } {
  const present = new Set(files);
  return { platform, env, home: platform === "darwin" ? "/Users/jane" : "/home/jane", files: present, exists: (file) => present.has(file), playwrightChromium: () => playwright };
}

describe("findBrowser", () => {
  it("takes DDS_CHROMIUM first, before any browser it could find itself", () => {
    const found = findBrowser(probe("linux", ["/opt/my/chrome", PLAYWRIGHT_LINUX, "/usr/bin/chromium"], { DDS_CHROMIUM: "/opt/my/chrome" }));
    expect(found).toEqual({ executablePath: "/opt/my/chrome", source: "DDS_CHROMIUM" });
  });

  it("stops with one line when DDS_CHROMIUM names no file, instead of quietly using another browser", () => {
    expect(() => findBrowser(probe("linux", ["/usr/bin/chromium"], { DDS_CHROMIUM: "/opt/typo/chrome" }))).toThrow(
      new BrowserSetupError("DDS_CHROMIUM=/opt/typo/chrome names no file: point it at a Chromium-based browser's executable, or unset it to let the tests find one."),
    );
  });

  it("then Playwright's own Chromium when `npx playwright install chromium` put it there", () => {
    expect(findBrowser(probe("linux", [PLAYWRIGHT_LINUX, "/opt/google/chrome/chrome", "/usr/bin/chromium"]))).toEqual({ executablePath: PLAYWRIGHT_LINUX, source: "Playwright's Chromium" });
  });

  it("then Google Chrome before Microsoft Edge, through Playwright's channels", () => {
    const both = findBrowser(probe("linux", ["/opt/google/chrome/chrome", "/opt/microsoft/msedge/msedge", "/usr/bin/chromium"]));
    expect(both).toMatchObject({ executablePath: "/opt/google/chrome/chrome", channel: "chrome" });
    expect(findBrowser(probe("linux", ["/opt/microsoft/msedge/msedge", "/usr/bin/chromium"]))).toMatchObject({ executablePath: "/opt/microsoft/msedge/msedge", channel: "msedge" });
  });

  it("then a system Chromium on Linux: Debian's, Ubuntu's older name, the snap", () => {
    for (const file of ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium"]) {
      expect(findBrowser(probe("linux", [file]))).toEqual({ executablePath: file, source: "the system's Chromium" });
    }
  });

  it("finds Chrome, Edge and Chromium.app where macOS installs them", () => {
    const chrome = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome";
    const edge = "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge";
    expect(findBrowser(probe("darwin", [chrome, edge]))).toMatchObject({ executablePath: chrome, channel: "chrome" });
    expect(findBrowser(probe("darwin", [edge]))).toMatchObject({ executablePath: edge, channel: "msedge" });
    expect(findBrowser(probe("darwin", ["/Users/jane/Applications/Chromium.app/Contents/MacOS/Chromium"]))?.source).toBe("the system's Chromium");
    expect(findBrowser(probe("darwin", ["/usr/bin/chromium"])), "Linux paths are not looked at on a Mac").toBeUndefined();
  });

  it("finds Chrome per user or per machine, Edge in Program Files (x86), and Chromium on Windows", () => {
    const userChrome = "C:\\Users\\Jane Doe\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe";
    const machineChrome = "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe";
    const edge = "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe";
    const chromium = "C:\\Users\\Jane Doe\\AppData\\Local\\Chromium\\Application\\chrome.exe";
    expect(findBrowser(probe("win32", [userChrome, machineChrome, edge], WINDOWS_ENV))).toMatchObject({ executablePath: userChrome, channel: "chrome" });
    expect(findBrowser(probe("win32", [machineChrome, edge], WINDOWS_ENV))).toMatchObject({ executablePath: machineChrome, channel: "chrome" });
    expect(findBrowser(probe("win32", [edge, chromium], WINDOWS_ENV))).toMatchObject({ executablePath: edge, channel: "msedge" });
    expect(findBrowser(probe("win32", [chromium], WINDOWS_ENV))).toEqual({ executablePath: chromium, source: "the system's Chromium" });
  });

  it("finds nothing on a machine without a browser, and names what it found in one line", () => {
    expect(findBrowser(probe("linux", []))).toBeUndefined();
    expect(findBrowser(probe("win32", [], {}))).toBeUndefined();
    expect(describeBrowser({ executablePath: "/usr/bin/chromium", source: "the system's Chromium" })).toBe("Browser for the browser tests: /usr/bin/chromium (the system's Chromium).");
  });
});

describe("ensureBrowser", () => {
  it("does not fetch anything when a browser is there", () => {
    const install = vi.fn(() => true);
    expect(ensureBrowser(install, probe("linux", ["/usr/bin/chromium"])).executablePath).toBe("/usr/bin/chromium");
    expect(install).not.toHaveBeenCalled();
  });

  it("fetches Playwright's Chromium once when none is there, and uses it", () => {
    const machine = probe("linux", []);
    const install = vi.fn(() => {
      machine.files.add(PLAYWRIGHT_LINUX);
      return true;
    });
    expect(ensureBrowser(install, machine)).toEqual({ executablePath: PLAYWRIGHT_LINUX, source: "Playwright's Chromium" });
    expect(install).toHaveBeenCalledTimes(1);
  });

  it("fails with the one line saying what to install or set when the fetch fails", () => {
    const install = vi.fn(() => false);
    expect(() => ensureBrowser(install, probe("linux", []))).toThrow(new BrowserSetupError(NO_BROWSER));
    expect(install).toHaveBeenCalledTimes(1);
    expect(NO_BROWSER).not.toContain("\n");
    expect(NO_BROWSER).toMatch(/install Google Chrome or Chromium, or set DDS_CHROMIUM/);
  });
});
