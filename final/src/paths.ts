/**
 * Where things are during development, from the project facts in project.ts:
 * the shell's folder, the Django project, its manage.py, the interpreter in
 * its virtualenv, the splash page and the stage folder.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import project, { type ProjectFacts } from "./project";

/** The shell's folder: src/, dist/, scripts/ and test/ all sit one level below it. */
export const SHELL_DIR = path.resolve(__dirname, "..");

/** `npm run <script>` as typed from wherever the shell's scripts are run (project.npmWorkspace). */
export function npmRun(script: string, facts: ProjectFacts = project): string {
  return facts.npmWorkspace ? `npm run ${script} -w ${facts.npmWorkspace}` : `npm run ${script}`;
}

export interface ProjectPaths {
  shellDir: string;
  djangoDir: string;
  managePy: string;
  /** The runtime requirements the stage installs. */
  requirements: string;
  /** Django's splash page, a self-contained HTML file the shell shows before Django is up. */
  splashFile: string;
  /** Development app data: the SQLite database and logs, kept out of git. */
  appDataDir: string;
  /** `npm run stage` output: backend/ (the bundle) and cache/ (downloads). */
  stageDir: string;
}

/** The project's folders as project.ts places them; nothing is checked here. */
export function projectPaths(shellDir: string = SHELL_DIR, facts: ProjectFacts = project): ProjectPaths {
  const djangoDir = path.resolve(shellDir, facts.djangoDir);
  return {
    shellDir,
    djangoDir,
    managePy: path.join(djangoDir, "manage.py"),
    requirements: path.join(djangoDir, facts.requirements),
    splashFile: path.join(djangoDir, facts.splash),
    appDataDir: path.join(djangoDir, facts.devAppData),
    stageDir: path.resolve(shellDir, facts.stageDir),
  };
}

export interface DevPaths extends ProjectPaths {
  python: string;
}

/** The development layout: Django from the project folder, Python from its virtualenv. */
export function devPaths(shellDir: string = SHELL_DIR, facts: ProjectFacts = project): DevPaths {
  const paths = projectPaths(shellDir, facts);
  if (!existsSync(paths.managePy)) {
    throw new Error(
      `${paths.managePy} does not exist.\n` +
        `src/project.ts places the Django project at djangoDir "${facts.djangoDir}", relative to ${shellDir}: set it to the folder that holds manage.py.`,
    );
  }
  const venv = path.join(paths.djangoDir, facts.venv);
  const python = process.platform === "win32" ? path.join(venv, "Scripts", "python.exe") : path.join(venv, "bin", "python");
  if (!existsSync(python)) {
    throw new Error(
      `Django's virtualenv is missing (${python}).\n` +
        (facts.npmWorkspace
          ? "Run `npm install` at the repository root, which creates it, or `npm run setup:python` to create it again."
          : `Create it with \`python3 -m venv ${venv}\` and install the project's requirements into it, or set venv in src/project.ts to the one you use.`),
    );
  }
  return { ...paths, python };
}
