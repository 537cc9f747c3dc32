import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { copyProjectFiles, describeLeftOut, localDataAmong, projectFileRules } from "../scripts/projectFiles";
import { tempDir } from "./helpers";

/** The developer's files that no bundle may carry, each as the review found it shipped. */
const LOCAL_FILES = [
  ".env",
  ".netrc",
  "credentials.json",
  "db.sqlite3.bak",
  "deploy/id_rsa",
  "deploy/server.key",
  "deploy/server.pem",
  "dump.sql",
  "media/uploads/ada.png",
  "mysite/local_settings.py",
  "production.env",
  "secrets.json",
];
/** What the stage names for them: the topmost path, folders with a trailing /. */
const LOCAL_NAMED = [".env", ".netrc", "credentials.json", "db.sqlite3.bak", "deploy/id_rsa", "deploy/server.key", "deploy/server.pem", "dump.sql", "media/", "mysite/local_settings.py", "production.env", "secrets.json"];
const CODE = ["manage.py", "mysite/__init__.py", "mysite/settings.py", "deploy/id_rsa.pub", "mediakit/__init__.py"];

function project(): string {
  const dir = tempDir();
  for (const relative of [...CODE, ...LOCAL_FILES, "notes/todo.txt"]) {
    mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    writeFileSync(path.join(dir, relative), `${relative}\n`);
  }
  return dir;
}

function git(dir: string, ...args: string[]): void {
  const result = spawnSync("git", ["-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { encoding: "utf8" });
  expect(result.status, result.stderr).toBe(0);
}

function filesBelow(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
    .sort();
}

const notNeeded = (relative: string) => relative === ".git";

describe("the files a bundle carries", () => {
  const hasGit = spawnSync("git", ["--version"]).status === 0;

  it("outside git: ships every file but the deny list's, names each it left out, and says that no git decided", () => {
    const dir = project();
    const destination = path.join(tempDir(), "django");
    const leftOut = copyProjectFiles(dir, destination, projectFileRules(dir, { notNeeded }));
    expect(leftOut).toEqual({ git: false, local: LOCAL_NAMED, untracked: [] });
    expect(filesBelow(destination)).toEqual([...CODE, "notes/todo.txt"].sort());
    expect(describeLeftOut(leftOut)[0]).toMatch(/^The project is no git checkout: every file ships except .*private keys/);
  });

  it.runIf(hasGit)("in a git checkout: ships what git tracks, leaves untracked files out and lists them", () => {
    const dir = project();
    git(dir, "init", "-q");
    git(dir, "add", ...CODE);
    const destination = path.join(tempDir(), "django");
    const leftOut = copyProjectFiles(dir, destination, projectFileRules(dir, { notNeeded }));
    expect(filesBelow(destination)).toEqual([...CODE].sort());
    expect(leftOut.git).toBe(true);
    expect(leftOut.local).toEqual(LOCAL_NAMED);
    expect(leftOut.untracked).toEqual(["notes/"]);
    expect(describeLeftOut(leftOut)).toContain("Left out of the bundle as not tracked by git (`git add` what the app needs at run time): notes/");
  });

  it.runIf(hasGit)("in a git checkout: leaves local data out even when git tracks it", () => {
    const dir = project();
    git(dir, "init", "-q");
    git(dir, "add", "-A");
    const destination = path.join(tempDir(), "django");
    const leftOut = copyProjectFiles(dir, destination, projectFileRules(dir, { notNeeded }));
    expect(leftOut).toEqual({ git: true, local: LOCAL_NAMED, untracked: [] });
    expect(filesBelow(destination)).toEqual([...CODE, "notes/todo.txt"].sort());
  });

  it.runIf(hasGit)("in a git checkout: ships the files a build wrote, although git does not track them", () => {
    const dir = project();
    git(dir, "init", "-q");
    git(dir, "add", ...CODE);
    const destination = path.join(tempDir(), "django");
    copyProjectFiles(dir, destination, projectFileRules(dir, { notNeeded, built: ["notes/todo.txt"] }));
    expect(filesBelow(destination)).toContain("notes/todo.txt");
  });

  it("finds the same files among a bundle's entries, for check --staged, naming an upload folder once", () => {
    const entries = [...CODE, ...LOCAL_FILES, "media", "media/uploads", "deploy", "mysite", "mediakit"];
    expect(localDataAmong(entries)).toEqual(LOCAL_NAMED.map((name) => name.replace(/\/$/, "")));
    // A media/ folder that is a Python package is code.
    expect(localDataAmong(["media", "media/__init__.py", "media/models.py"])).toEqual([]);
    expect(localDataAmong(["manage.py", "mysite/settings.py", "mysite/static/app.js"])).toEqual([]);
  });
});
