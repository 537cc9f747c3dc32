/**
 * Where things are in the repository during development: the repository root,
 * the Django project, its manage.py and the interpreter in django/.venv.
 */
import { existsSync } from "node:fs";
import path from "node:path";

/** Walks up from `start` to the folder that holds django/manage.py. */
export function findRepoRoot(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, "django", "manage.py"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`Could not find django/manage.py above ${start}. Run the shell from inside the desktop-django-starter repository.`);
    }
    dir = parent;
  }
}

export interface DevPaths {
  repoRoot: string;
  djangoDir: string;
  managePy: string;
  python: string;
  /** Django's splash page, a self-contained HTML file the shell shows before Django is up. */
  splashFile: string;
  /** Development app data: the SQLite database and logs, kept out of git. */
  appDataDir: string;
}

/** The development layout: Django from the repository, Python from django/.venv. */
export function devPaths(repoRoot: string = findRepoRoot()): DevPaths {
  const djangoDir = path.join(repoRoot, "django");
  const venv = path.join(djangoDir, ".venv");
  const python = process.platform === "win32" ? path.join(venv, "Scripts", "python.exe") : path.join(venv, "bin", "python");
  if (!existsSync(python)) {
    throw new Error(
      `Django's virtualenv is missing (${python}).\n` +
        "Run `npm install` at the repository root, which creates it, or `npm run setup:python` to create it again.",
    );
  }
  return {
    repoRoot,
    djangoDir,
    managePy: path.join(djangoDir, "manage.py"),
    python,
    splashFile: path.join(djangoDir, "desktop_runtime", "templates", "desktop_runtime", "splash.html"),
    appDataDir: path.join(djangoDir, ".dev-data"),
  };
}
