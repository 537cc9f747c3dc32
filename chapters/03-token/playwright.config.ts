import { defineConfig } from "@playwright/test";

// Real-Electron tests. They need the Electron binary, which downloads on first use.
export default defineConfig({
  testDir: "test/electron",
  timeout: 60_000,
  // One app at a time: final's single-instance lock would make a second one quit, and two apps would share one app-data folder.
  workers: 1,
  reporter: "list",
});
