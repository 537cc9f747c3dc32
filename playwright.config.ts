/**
 * Browser tests in Chromium: the Django UI (against a real desktop_serve) and
 * the built docs site. By default Playwright's own Chromium build, the one
 * `npx playwright install chromium` fetches for this Playwright version. Set
 * DDS_CHROMIUM to a browser's path to use that one instead (.ci/run sets
 * Debian's /usr/bin/chromium, on machines that cannot download Playwright's).
 */
import { defineConfig } from "@playwright/test";

const systemChromium = process.env.DDS_CHROMIUM || undefined;

export default defineConfig({
  testDir: "tests/browser",
  outputDir: "test-results/browser",
  timeout: 60_000,
  workers: 2,
  reporter: "list",
  use: {
    launchOptions: {
      ...(systemChromium ? { executablePath: systemChromium } : {}),
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    },
  },
});
