/**
 * Before `npm ci`, the root's `npm test` and `npm run wrap` say to run it
 * first (scripts/needs-install.cjs, their `pre` scripts) instead of stopping
 * at `tsx: not found`. Checked in a copy of the repository's package.json
 * files without node_modules, through the real npm.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const repoRoot = path.resolve(__dirname, "..");

/** The root and every workspace's package.json, and the guard: what a fresh clone has before `npm ci`. */
function freshClone(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "dds-fresh-clone-"));
  const tracked = spawnSync("git", ["ls-files", "package.json", "*/package.json"], { cwd: repoRoot, encoding: "utf8" });
  for (const file of [...tracked.stdout.split("\n").filter(Boolean), "scripts/needs-install.cjs"]) {
    mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
    cpSync(path.join(repoRoot, file), path.join(root, file));
  }
  return root;
}

/** `npm <args>` in `cwd`, without the npm_* variables of the npm that may be running these tests. */
function npm(args: string[], cwd: string) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  // npm is npm.cmd on Windows, which only a shell runs.
  return spawnSync(process.platform === "win32" ? "npm.cmd" : "npm", args, { cwd, env, encoding: "utf8", shell: process.platform === "win32", timeout: 60_000 });
}

describe("before npm ci", () => {
  const clone = freshClone();
  afterAll(() => rmSync(clone, { recursive: true, force: true }));

  it.each([
    [["test"], "npm test"],
    [["run", "wrap", "--", "--help"], "npm run wrap"],
  ])("npm %j says to run npm ci first, and fails", (args, command) => {
    const result = npm(args, clone);
    expect(result.status, result.stderr).not.toBe(0);
    expect(result.stderr).toContain(`Run \`npm ci\` in ${clone} first (it also creates django/.venv), then ${command} again.`);
    expect(result.stderr).not.toMatch(/tsx: not found|'tsx' is not recognized/);
  });

  it("the guard is silent where the dependencies are installed", () => {
    const result = spawnSync(process.execPath, [path.join(repoRoot, "scripts", "needs-install.cjs")], { encoding: "utf8" });
    expect([result.status, result.stdout, result.stderr]).toEqual([0, "", ""]);
  });

  it("copies the package.json files a fresh clone has", () => {
    const manifest = JSON.parse(readFileSync(path.join(clone, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(manifest.scripts.pretest).toBe("node scripts/needs-install.cjs");
    expect(readFileSync(path.join(clone, "final", "package.json"), "utf8")).toContain('"name": "@desktop-django-starter/final"');
  });
});
