import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ensureWritableFolder, FolderNotWritableError, olderLogFile, openLogFile } from "../src/logFile";
import { makeReadOnly, tempDir } from "./helpers";

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

describe("a folder the app cannot write in", () => {
  it("is reported as not writable, with where it is, before anything is started", (context) => {
    const appDataDir = path.join(tempDir(), "app data");
    mkdirSync(appDataDir);
    const undo = makeReadOnly(appDataDir);
    if (typeof undo === "string") return context.skip(undo);
    try {
      const error = (() => {
        try {
          openLogFile(path.join(appDataDir, "logs", "backend.log"));
        } catch (thrown) {
          return thrown;
        }
      })();
      expect(error).toBeInstanceOf(FolderNotWritableError);
      expect((error as FolderNotWritableError).message).toMatch(
        new RegExp(`^The folder ${escape(path.join(appDataDir, "logs"))} is not writable \\((EACCES|EPERM|EROFS) in ${escape(appDataDir)}\\)\\.`),
      );
      expect(() => ensureWritableFolder(appDataDir)).toThrow(new RegExp(`^The folder ${escape(appDataDir)} is not writable \\((EACCES|EPERM|EROFS)\\)\\. .*start the app again\\.$`));
    } finally {
      undo();
    }
    expect(existsSync(path.join(appDataDir, "logs"))).toBe(false);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
