import { defineConfig } from "@playwright/test";

// Real-Electron tests. They need the Electron binary, which downloads on first use.
export default defineConfig({
  testDir: "test/electron",
  timeout: 60_000,
  reporter: "list",
});
