import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { devPaths, findRepoRoot } from "../src/paths";
import { tempDir } from "./helpers";

describe("findRepoRoot", () => {
  it("finds the folder that holds django/manage.py from anywhere below it", () => {
    const root = findRepoRoot(__dirname);
    expect(existsSync(path.join(root, "django", "manage.py"))).toBe(true);
  });

  it("says what to do when run outside the repository", () => {
    expect(() => findRepoRoot(tempDir())).toThrow(/Run the shell from inside the desktop-django-starter repository/);
  });
});

describe("devPaths", () => {
  it("points at manage.py and the interpreter in django/.venv", () => {
    const paths = devPaths();
    expect(existsSync(paths.managePy)).toBe(true);
    expect(existsSync(paths.python)).toBe(true);
    expect(paths.python).toContain(".venv");
  });

  it("explains how to create a missing virtualenv", () => {
    const root = tempDir();
    expect(() => devPaths(root)).toThrow(/npm run setup:python/);
  });
});
