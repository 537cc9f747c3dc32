/**
 * The dry run asks Django itself, in the project's virtualenv, how it resolves
 * the settings that say where static files and uploads live: settings built
 * with os.path.join, environment variables or a settings package read as text
 * would be guesses.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

export const RESOLVED_SETTINGS = ["STATIC_URL", "STATIC_ROOT", "MEDIA_URL", "MEDIA_ROOT"] as const;

const ASK = String.raw`
import json, os, sys
sys.path.insert(0, os.getcwd())
from django.conf import settings
names = json.loads(sys.argv[1])
print(json.dumps({name: None if getattr(settings, name, None) is None else str(getattr(settings, name)) for name in names}))
`;

/**
 * STATIC_URL, STATIC_ROOT, MEDIA_URL and MEDIA_ROOT as Django resolves them
 * with `settingsModule`, run by `python` in `root`; `env` adds variables (a
 * development secret key). A string that says why when Django could not tell.
 */
export function djangoResolvedPaths(root: string, settingsModule: string, python: string, env: Record<string, string> = {}): Record<string, string | null> | string {
  const asked = spawnSync(python, ["-c", ASK, JSON.stringify(RESOLVED_SETTINGS)], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...env, DJANGO_SETTINGS_MODULE: settingsModule },
    timeout: 60_000,
  });
  if (asked.error) return `could not run ${python}: ${asked.error.message}`;
  if (asked.status !== 0) {
    const last = asked.stderr.trim().split("\n").at(-1) ?? `exit code ${asked.status}`;
    return `Django could not load ${settingsModule} (${last})`;
  }
  return JSON.parse(asked.stdout.trim().split("\n").at(-1)!) as Record<string, string | null>;
}

/** The virtualenv's interpreter, on Windows or elsewhere. */
export function venvPython(root: string, venv: string): string {
  return path.join(root, venv, process.platform === "win32" ? "Scripts/python.exe" : "bin/python");
}
