import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { devPaths, npmRun, projectPaths, SHELL_DIR } from "../src/paths";
import project, { type ProjectFacts } from "../src/project";
import { tempDir } from "./helpers";

describe("projectPaths", () => {
  it("places the project where project.ts says, relative to the shell's folder", () => {
    const paths = projectPaths();
    expect(paths.shellDir).toBe(SHELL_DIR);
    expect(existsSync(path.join(SHELL_DIR, "package.json"))).toBe(true);
    expect(paths.djangoDir).toBe(path.resolve(SHELL_DIR, project.djangoDir));
    expect(existsSync(paths.managePy)).toBe(true);
    expect(existsSync(paths.requirements)).toBe(true);
    expect(existsSync(paths.splashFile)).toBe(true);
  });

  it("works for a shell inside the project, as a wrapped project's desktop/ folder", () => {
    const inside: ProjectFacts = { ...project, djangoDir: "..", stageDir: ".stage" };
    const paths = projectPaths("/work/catalog/desktop", inside);
    expect(paths.djangoDir).toBe(path.resolve("/work/catalog"));
    expect(paths.managePy).toBe(path.resolve("/work/catalog/manage.py"));
    expect(paths.stageDir).toBe(path.resolve("/work/catalog/desktop/.stage"));
  });
});

describe("npmRun", () => {
  it("names the workspace in the starter, and nothing in a shell that is its own package", () => {
    expect(npmRun("stage", { ...project, npmWorkspace: "final" })).toBe("npm run stage -w final");
    expect(npmRun("stage", { ...project, npmWorkspace: "" })).toBe("npm run stage");
  });
});

describe("devPaths", () => {
  it("points at manage.py and the interpreter in the project's virtualenv", () => {
    const paths = devPaths();
    expect(existsSync(paths.managePy)).toBe(true);
    expect(existsSync(paths.python)).toBe(true);
    expect(paths.python).toContain(project.venv);
  });

  it("says which setting to fix when manage.py is not where project.ts points", () => {
    expect(() => devPaths(tempDir())).toThrow(/manage\.py does not exist\.\nsrc\/project\.ts places the Django project at djangoDir/);
  });

  it("explains how to create a missing virtualenv", () => {
    const shellDir = path.join(tempDir(), "shell");
    const djangoDir = path.resolve(shellDir, project.djangoDir);
    mkdirSync(djangoDir, { recursive: true });
    writeFileSync(path.join(djangoDir, "manage.py"), "");
    expect(() => devPaths(shellDir, { ...project, npmWorkspace: "final" })).toThrow(/npm run setup:python/);
    expect(() => devPaths(shellDir, { ...project, npmWorkspace: "" })).toThrow(/python3 -m venv/);
  });
});
