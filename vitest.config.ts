import { defineConfig } from "vitest/config";

// Root tests: repository tooling, docs, llms.txt, SKILL.md and workflows. Each workspace has its own suite.
export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 120_000,
  },
});
