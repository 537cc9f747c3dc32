/**
 * Browser tests in Chromium: the Django UI (against a real desktop_serve) and
 * the built docs site, in the browser scripts/find-browser.ts finds (DDS_CHROMIUM,
 * Playwright's Chromium, Chrome or Edge, a system Chromium). `npm test` names it
 * and, when there is none, fetches Playwright's once before it gets here.
 */
import { defineConfig } from "@playwright/test";
import { BrowserSetupError, findBrowser, NO_BROWSER } from "./scripts/find-browser.ts";

const browser = findBrowser();
if (!browser) throw new BrowserSetupError(NO_BROWSER);

export default defineConfig({
  testDir: "tests/browser",
  outputDir: "test-results/browser",
  timeout: 60_000,
  workers: 2,
  reporter: "list",
  use: {
    launchOptions: {
      // Chrome and Edge through Playwright's channels; any other browser by its path.
      ...(browser.channel ? { channel: browser.channel } : { executablePath: browser.executablePath }),
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    },
  },
});
