/**
 * Browser tests in Chromium: the Django UI (against a real desktop_serve) and
 * the built docs site. Debian's Chromium is used where it is installed; on
 * other machines set DDS_CHROMIUM or run `npx playwright install chromium`.
 */
import { existsSync } from "node:fs";
import { defineConfig } from "@playwright/test";

const systemChromium = process.env.DDS_CHROMIUM ?? (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

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
