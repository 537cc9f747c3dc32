import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { electronBinary } from "./electron/support";

describe("npm run dev without the Electron binary", () => {
  it.skipIf(electronBinary() !== undefined)("explains in one paragraph what to do, with no stack trace", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "..", "src", "launch.ts")], {
      encoding: "utf8",
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: "1" },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("The Electron binary is not installed, so the desktop window cannot open here.");
    expect(result.stderr).toContain("npx install-electron");
    expect(result.stderr).toContain("npm run backend -w final");
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/^\s+at /m);
  });
});
