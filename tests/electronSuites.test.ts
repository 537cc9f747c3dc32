/**
 * The real-Electron suites run one test file at a time on every runner. With
 * Playwright's default of several workers, two files start two app instances at
 * once: requestSingleInstanceLock() makes one quit, and both share one app-data
 * folder (a startup-failure test's environment then leaks into the other's backup).
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { stepDir, steps } from "../scripts/chapters.ts";

describe.each(steps())("%s's real-Electron suite", (step) => {
  it("runs with one worker", async () => {
    const config = (await import(pathToFileURL(path.join(stepDir(step), "playwright.config.ts")).href)) as { default: { workers?: unknown } };
    expect(config.default.workers).toBe(1);
  });
});
