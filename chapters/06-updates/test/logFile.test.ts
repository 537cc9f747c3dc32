import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { olderLogFile, openLogFile } from "../src/logFile";
import { tempDir } from "./helpers";

describe("openLogFile", () => {
  it("keeps one process's log under twice the cap, with the newest lines in the current file", () => {
    const file = path.join(tempDir(), "logs", "backend.log");
    const write = openLogFile(file, 2000);
    for (let i = 0; i < 500; i += 1) write(`line ${i} ${"x".repeat(40)}`);
    const current = readFileSync(file, "utf8");
    const older = readFileSync(olderLogFile(file), "utf8");
    expect(statSync(file).size).toBeLessThanOrEqual(2000);
    expect(statSync(olderLogFile(file)).size).toBeLessThanOrEqual(2000 + 60);
    expect(current.trimEnd().split("\n").at(-1)).toBe(`line 499 ${"x".repeat(40)}`);
    expect(older).not.toContain("line 0 ");
    // Nothing else accumulates beside the two files.
    expect(readdirSync(path.dirname(file)).sort()).toEqual(["backend.1.log", "backend.log"]);
  });

  it("names the older file after the current one", () => {
    expect(olderLogFile(path.join("logs", "worker.log"))).toBe(path.join("logs", "worker.1.log"));
  });

  it.skipIf(process.platform !== "linux")("holds no handle open between lines, so the file can be renamed on Windows too", () => {
    const file = path.join(tempDir(), "backend.log");
    const write = openLogFile(file, 10_000);
    write("first line");
    const open = readdirSync("/proc/self/fd").flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/self/fd/${fd}`)];
      } catch {
        return [];
      }
    });
    expect(existsSync(file)).toBe(true);
    expect(open).not.toContain(file);
  });
});
