import { defineConfig } from "@playwright/test";

// Real-Electron tests. They need the Electron binary, which downloads on first use.
export default defineConfig({
  testDir: "test/electron",
  timeout: 60_000,
  // One Electron at a time: two app instances would fight over the single-instance
  // lock and the same app-data folder (GitHub's runners would otherwise start two).
  workers: 1,
  reporter: "list",
});
