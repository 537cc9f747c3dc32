/**
 * `npx desktop-django-starter wrap <project>` and `... check`, without a
 * checkout of the starter: cli/ is packed with `npm pack` (its prepack copies
 * the files the wrap copies into the package), the tarball is installed into
 * an empty folder with no checkout around it (from npm's local cache), and the
 * outside-project fixture is wrapped and checked from there, before any
 * `npm install` in its desktop/ folder.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../scripts/chapters.ts";
import { venvDir } from "../scripts/python-env.ts";

const cliDir = path.join(repoRoot, "cli");
const work = mkdtempSync(path.join(tmpdir(), "dds-npx-"));
const installDir = path.join(work, "empty-folder");
const target = path.join(work, "library-catalog");
const npmCli = process.env.npm_execpath && /\.c?js$/.test(process.env.npm_execpath) ? [process.execPath, process.env.npm_execpath] : ["npm"];
const TEN_MINUTES = 600_000;

function run(command: string[], cwd: string): SpawnSyncReturns<string> {
  const [program, ...args] = command;
  // INIT_CWD from the test's own `npm run` must not leak into the commands a user types.
  const env = { ...process.env, INIT_CWD: undefined, NODE_PATH: undefined };
  return spawnSync(program!, args, { cwd, encoding: "utf8", env, maxBuffer: 64 * 1024 * 1024, shell: false });
}

/** `npx <args>` typed in `cwd`: npm exec, which finds the installed package's bin in node_modules/.bin. */
function npx(cwd: string, args: string[]): SpawnSyncReturns<string> {
  return run([...npmCli, "exec", "--no", "--", ...args], cwd);
}

const git = (cwd: string, ...args: string[]) => run(["git", "-c", "user.email=npx@example.com", "-c", "user.name=npx test", ...args], cwd);

let tarball: string;

beforeAll(() => {
  const packed = run([...npmCli, "pack", "--pack-destination", work], cliDir);
  expect(packed.status, packed.stderr).toBe(0);
  tarball = path.join(work, readdirSync(work).find((name) => name.endsWith(".tgz"))!);
  cpSync(path.join(repoRoot, "tests", "fixtures", "outside-project"), target, { recursive: true });
  // The starter's own virtualenv has what the fixture needs (Django, WhiteNoise, waitress); git ignores the link.
  writeFileSync(path.join(target, ".gitignore"), "build/\n*.sqlite3\n__pycache__/\n.venv\nmedia/\n.env\n");
  symlinkSync(venvDir, path.join(target, ".venv"), "junction");
  git(target, "init", "-q");
  git(target, "add", "-A");
  git(target, "commit", "-qm", "the project as it was");
}, TEN_MINUTES);
afterAll(() => rmSync(work, { recursive: true, force: true }), TEN_MINUTES);

describe("the package npm pack makes of cli/", () => {
  it("is publishable: not private, a bin entry, a files list, the template inside", () => {
    const manifest = JSON.parse(readFileSync(path.join(cliDir, "package.json"), "utf8")) as Record<string, unknown>;
    expect(manifest.name).toBe("desktop-django-starter");
    expect(manifest.private).toBeUndefined();
    expect(manifest.bin).toEqual({ "desktop-django-starter": "bin/desktop-django-starter.js" });
    expect(manifest.files).toEqual(["bin/", "template/", "README.md"]);
    const listed = run(["tar", "-tzf", tarball], work).stdout.split("\n");
    for (const file of ["package/bin/desktop-django-starter.js", "package/template/scripts/wrap.ts", "package/template/final/scripts/check.ts", "package/template/django/desktop_runtime/apps.py"]) {
      expect(listed).toContain(file);
    }
    expect(listed.filter((file) => /node_modules|\/\.venv\/|__pycache__|\/tests\/|\/test\/demo\//.test(file))).toEqual([]);
  });

  it("installs into an empty folder with no checkout around it, from npm's local cache", () => {
    mkdirSync(installDir);
    expect(git(installDir, "rev-parse", "--show-toplevel").status).not.toBe(0);
    const installed = run([...npmCli, "install", tarball, "--prefer-offline", "--no-audit", "--no-fund"], installDir);
    expect(installed.status, installed.stderr).toBe(0);
    expect(readdirSync(path.join(installDir, "node_modules"))).toContain("desktop-django-starter");
    const help = npx(installDir, ["desktop-django-starter", "--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("npx desktop-django-starter wrap <path to a Django project>");
  }, TEN_MINUTES);

  it("wraps the fixture from there with npx desktop-django-starter wrap <target>", () => {
    const dry = npx(installDir, ["desktop-django-starter", "wrap", target, "--dry-run"]);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("settings: librarysite.settings (single file, librarysite/settings.py)");
    const wrapped = npx(installDir, ["desktop-django-starter", "wrap", target]);
    expect(wrapped.status, wrapped.stderr).toBe(0);
    for (const file of ["desktop/src/project.ts", "desktop/scripts/check.ts", "desktop/WRAP.md", "desktop_runtime/middleware.py", "desktop_settings/packaged.py"]) {
      expect(existsSync(path.join(target, file)), file).toBe(true);
    }
    expect(readFileSync(path.join(target, "desktop", "src", "project.ts"), "utf8")).toContain('"desktop_settings.dev"');
  });

  it("checks it with npx desktop-django-starter check <target>, before any npm install in desktop/", () => {
    expect(existsSync(path.join(target, "desktop", "node_modules"))).toBe(false);
    const check = npx(installDir, ["desktop-django-starter", "check", target]);
    const failed = check.stdout.split("\n").filter((line) => line.startsWith("✗"));
    // Everything holds but the one decision WRAP.md leaves to the user: Bootstrap from a CDN, not vendored here.
    expect(failed, check.stderr).toHaveLength(1);
    expect(failed[0]).toMatch(/^✗ those pages and their stylesheets load nothing from another host.*cdn\.jsdelivr\.net\/npm\/bootstrap/);
    expect(check.stdout).toMatch(/✓ the pages the home page's links lead to .* answer without a server error/);
    expect(check.stdout).toMatch(/^(\d+) of (\d+) checks held$/m);
    expect(check.status).toBe(1);
  }, TEN_MINUTES);
});
