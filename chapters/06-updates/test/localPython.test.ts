/**
 * `npm run stage -- --local-python`: without python-build-standalone's
 * download (offline, or no GitHub), the stage builds the runtime archive from
 * this machine's Python itself, says that such a bundle is for development
 * and tests only, and stages from it the way --python-archive does.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { localRuntimeUnavailable } from "../scripts/localRuntime";
import { tempDir } from "./helpers";

const shellDir = path.join(__dirname, "..");
const staged = inject("stagedBundle");

function stage(args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", path.join(shellDir, "scripts", "stage.ts"), ...args], { cwd: shellDir, encoding: "utf8" });
}

describe("the stage's --local-python", () => {
  it.skipIf(localRuntimeUnavailable() || !staged.wheelhouse)(
    "npm run stage -- --local-python: builds the runtime from this machine's Python, stages from it, and says it is not for shipping",
    () => {
      const bundleDir = path.join(tempDir(), "backend");
      // npm as a learner types it, in the shell's folder; the wheelhouse only spares the test the package index.
      const result = spawnSync("npm", ["run", "stage", "--", "--local-python", "--wheelhouse", staged.wheelhouse!, "--bundle-dir", bundleDir], { cwd: shellDir, encoding: "utf8" });
      expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
      expect(result.stdout).toMatch(/--local-python: the runtime archive is built from this machine's Python \([^)]+\), for offline development and tests\. Do not ship this bundle to users/);
      expect(result.stdout.trim().split("\n").at(-1)).toBe("Staged from this machine's Python (--local-python): for development and tests, not for shipping.");
      const manifest = JSON.parse(readFileSync(path.join(bundleDir, "manifest.json"), "utf8")) as { runtime: { kind: string; name: string } };
      expect(manifest.runtime.kind).toBe("local archive");
      expect(manifest.runtime.name).toMatch(/^cpython-3\.\d+-local-[0-9a-f]{16}-install_only_stripped\.tar\.gz$/);
    },
    600_000,
  );

  it("refuses a Python it cannot copy, and --python-archive beside it, saying why and staging nothing", () => {
    const bundleDir = path.join(tempDir(), "backend");
    const missing = stage(["--local-python", "3.99", "--bundle-dir", bundleDir]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/Staging failed: Cannot build a local Python runtime archive: (no pyenv-built Python 3\.99 .*pyenv install 3\.99|a local runtime archive is built from a Python on Linux)/);
    const both = stage(["--local-python", "--python-archive", "some.tar.gz", "--bundle-dir", bundleDir]);
    expect(both.status).toBe(1);
    expect(both.stderr).toContain("Staging failed: Pass either --local-python or --python-archive, not both.");
    expect(existsSync(bundleDir)).toBe(false);
  });
});
