/**
 * The wrap writes only inside the project it is pointed at, and never through
 * a symbolic link (issue 25, item 5): a `.github/workflows` that links to a
 * folder elsewhere, a dangling `.gitignore` link, a `desktop` link. Each is
 * refused before anything is written, so the project and the link's target
 * stay as they were.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../scripts/chapters.ts";

const fixture = path.join(repoRoot, "tests", "fixtures", "outside-project");
const work = mkdtempSync(path.join(tmpdir(), "dds-wrap-links-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function wrap(target: string) {
  return spawnSync(process.execPath, ["--import", "tsx", path.join(repoRoot, "scripts", "wrap.ts"), target, "--force"], { cwd: repoRoot, encoding: "utf8" });
}

function project(name: string): string {
  const folder = path.join(work, name);
  cpSync(fixture, folder, { recursive: true });
  return folder;
}

describe("npm run wrap and links", () => {
  it("refuses a .github/workflows that links outside the project, and writes nothing", () => {
    const target = project("workflows-link");
    const elsewhere = path.join(work, "elsewhere-workflows");
    mkdirSync(elsewhere);
    mkdirSync(path.join(target, ".github"));
    symlinkSync(elsewhere, path.join(target, ".github", "workflows"));
    const refused = wrap(target);
    expect(refused.status, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stderr).toContain(`${path.join(target, ".github", "workflows")} is a link to ${elsewhere}`);
    expect(refused.stderr).not.toMatch(/^\s+at /m);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(existsSync(path.join(target, "desktop"))).toBe(false);
  });

  it("refuses a dangling .gitignore link instead of creating its target", () => {
    const target = project("dangling-gitignore");
    const missing = path.join(work, "not-there", "gitignore");
    symlinkSync(missing, path.join(target, ".gitignore"));
    const refused = wrap(target);
    expect(refused.status, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stderr).toContain(`${path.join(target, ".gitignore")} is a dangling link`);
    expect(existsSync(path.join(work, "not-there"))).toBe(false);
    expect(existsSync(path.join(target, "desktop_settings"))).toBe(false);
  });

  it("refuses a dangling desktop_settings link rather than copying through it", () => {
    const target = project("dangling-settings");
    const missing = path.join(work, "settings-elsewhere");
    symlinkSync(missing, path.join(target, "desktop_settings"));
    const refused = wrap(target);
    expect(refused.status, refused.stdout + refused.stderr).toBe(1);
    expect(refused.stderr).toContain("is a dangling link");
    expect(existsSync(missing)).toBe(false);
  });
});
