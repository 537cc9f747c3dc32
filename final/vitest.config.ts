import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Stages the backend bundle once (cached across runs) for every test file that needs it.
    globalSetup: ["test/stagedBundle.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each test file starts real Django processes; two at a time suit a 2-core machine.
    maxWorkers: 2,
  },
});
