import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // A cold start of the app (WebKitGTK, migrations, seeding) on a busy 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
