/**
 * Finds a usable Python on the developer's machine and manages django/.venv,
 * the virtualenv every development shell runs Django from.
 *
 * Discovery order: the DDS_PYTHON override; `python3.13`, `python3.12`,
 * `python3` and `python` on PATH; on Windows the `py -3.13` and `py -3.12`
 * launcher; then pyenv's ~/.pyenv/versions/3.12.x and 3.13.x, which pyenv
 * installs without putting them on PATH. Django 6 needs Python 3.12 or newer.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const djangoDir = path.join(repoRoot, "django");
export const venvDir = path.join(djangoDir, ".venv");
export const MIN_PYTHON: [number, number] = [3, 12];

/** A command that starts Python, as program plus leading arguments. */
export interface PythonCommand {
  command: string;
  args: string[];
  version: [number, number];
}

export class PythonSetupError extends Error {}

export function venvBin(name: string, dir = venvDir): string {
  return process.platform === "win32"
    ? path.join(dir, "Scripts", `${name}.exe`)
    : path.join(dir, "bin", name);
}

function probe(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): [number, number] | null {
  const result = spawnSync(command, [...args, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], {
    encoding: "utf8",
    env,
    windowsHide: true,
  });
  if (result.status !== 0 || !result.stdout) return null;
  const [major, minor] = result.stdout.trim().split(".").map(Number);
  return major === undefined || minor === undefined || Number.isNaN(minor) ? null : [major, minor];
}

function isRecentEnough([major, minor]: [number, number]): boolean {
  return major > MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor >= MIN_PYTHON[1]);
}

const required = `Python ${MIN_PYTHON.join(".")}+`;

const tooOld = (found: string) =>
  `${required} is required (Django 6 needs it), but ${found}.\n` +
  "Install Python 3.13 or 3.12 from https://www.python.org/downloads/ (or your package manager, or pyenv),\n" +
  `or set DDS_PYTHON to the full path of a ${required} interpreter, then run \`npm run setup:python\`.`;

/** pyenv's 3.12.x and 3.13.x interpreters, newest first: pyenv does not put them on PATH by itself. */
function pyenvCandidates(home: string): [string, string[]][] {
  const versions = path.join(home, ".pyenv", "versions");
  if (!existsSync(versions)) return [];
  return readdirSync(versions)
    .map((name) => ({ name, match: /^3\.(1[23])\.(\d+)$/.exec(name) }))
    .filter((entry) => entry.match)
    .sort((a, b) => Number(b.match![1]) - Number(a.match![1]) || Number(b.match![2]) - Number(a.match![2]))
    .map(({ name, match }) => [path.join(versions, name, "bin", `python3.${match![1]}`), []] as [string, string[]])
    .filter(([command]) => existsSync(command));
}

/** The interpreter to build the virtualenv with, or a PythonSetupError that says what was found and what to do. */
export function findPython(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): PythonCommand {
  const override = env.DDS_PYTHON;
  if (override) {
    const version = probe(override, [], env);
    if (!version) throw new PythonSetupError(tooOld(`DDS_PYTHON=${override} does not run`));
    if (!isRecentEnough(version)) throw new PythonSetupError(tooOld(`DDS_PYTHON points at Python ${version.join(".")}`));
    return { command: override, args: [], version };
  }
  const candidates: [string, string[]][] = [["python3.13", []], ["python3.12", []], ["python3", []], ["python", []]];
  if (process.platform === "win32") candidates.push(["py", ["-3.13"]], ["py", ["-3.12"]]);
  candidates.push(...pyenvCandidates(home));
  const seen: string[] = [];
  for (const [command, args] of candidates) {
    const version = probe(command, args, env);
    if (!version) continue;
    if (isRecentEnough(version)) return { command, args, version };
    seen.push(`${[command, ...args].join(" ")} is Python ${version.join(".")}`);
  }
  throw new PythonSetupError(
    tooOld(seen.length ? `only older ones were found (${seen.join(", ")})` : "no `python3.13`, `python3.12`, `python3` or `python` was found on PATH"),
  );
}

function requirementsDigest(files: string[]): string {
  const hash = createHash("sha256");
  for (const file of files) {
    if (existsSync(file)) hash.update(readFileSync(file));
  }
  return hash.digest("hex");
}

function run(command: string, args: string[], what: string): void {
  const result = spawnSync(command, args, { stdio: "inherit", windowsHide: true });
  if (result.status !== 0) {
    throw new PythonSetupError(`${what} failed (${[command, ...args].join(" ")}). Read the output above, fix it, then run \`npm run setup:python\`.`);
  }
}

function hasPip(python: string): boolean {
  return spawnSync(python, ["-m", "pip", "--version"], { stdio: "ignore", windowsHide: true }).status === 0;
}

/**
 * Makes sure the virtualenv (django/.venv) exists and holds the pinned requirements.
 * Does nothing when the requirements have not changed since the last install.
 * A virtualenv left half-made (no pip: on Debian and Ubuntu, `venv` without the
 * python3-venv package stops after creating bin/python) is made again, so
 * running setup again after fixing the cause works. So is one made with a
 * Python older than 3.12 (a checkout from before Django 6).
 *
 * `venv` and `requirements` make another virtualenv the same way, e.g. the
 * Django 5.2 one desktop_runtime's tests also run in (see django52Venv()).
 */
export function ensureVenv(
  log: (line: string) => void = console.log,
  {
    project = djangoDir,
    env = process.env,
    home = os.homedir(),
    venv = path.join(project, ".venv"),
    requirements,
  }: { project?: string; env?: NodeJS.ProcessEnv; home?: string; venv?: string; requirements?: string } = {},
): string {
  const python = venvBin("python", venv);
  const stampFile = path.join(venv, ".requirements.sha256");
  const installed = requirements ?? path.join(project, "requirements-dev.txt");
  const digest = requirementsDigest(requirements ? [requirements] : [path.join(project, "requirements.txt"), installed]);
  const existing = existsSync(python) ? probe(python, [], env) : null;
  if (existing && !isRecentEnough(existing)) {
    log(`${path.relative(repoRoot, venv)} runs Python ${existing.join(".")}, and Django 6 needs ${required}: making it again`);
    rmSync(venv, { recursive: true, force: true });
  }
  if (existsSync(python) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === digest) return python;
  if (existsSync(python) && !hasPip(python)) {
    log(`${path.relative(repoRoot, venv)} has no pip (its creation stopped half-way): making it again`);
    rmSync(venv, { recursive: true, force: true });
  }
  if (!existsSync(python)) {
    const base = findPython(env, home);
    log(`Creating ${path.relative(repoRoot, venv)} with ${[base.command, ...base.args].join(" ")} (Python ${base.version.join(".")})`);
    try {
      run(base.command, [...base.args, "-m", "venv", venv], "Creating the virtualenv");
    } catch (error) {
      rmSync(venv, { recursive: true, force: true });
      throw new PythonSetupError(`${(error as Error).message}\nOn Debian and Ubuntu, \`python3 -m venv\` needs the python3-venv package: sudo apt install python3-venv`);
    }
  }
  log(`Installing ${path.relative(repoRoot, installed)} into ${path.relative(repoRoot, venv)}`);
  run(python, ["-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", installed], "Installing the Python requirements");
  writeFileSync(stampFile, digest);
  return python;
}

/** The oldest Django a wrapped project may run: desktop_runtime's tests also run on it. */
export const django52Requirements = path.join(djangoDir, "desktop_runtime", "tests", "requirements-django52.txt");
/** Outside django/, so that no stage of the backend copies it; .cache/ is ignored by git. */
export const django52VenvDir = path.join(repoRoot, ".cache", "venv-django52");

/** A virtualenv with Django 5.2 LTS (requirements-django52.txt), made or updated when needed; its python. */
export function django52Venv(log: (line: string) => void = console.log): string {
  return ensureVenv(log, { venv: django52VenvDir, requirements: django52Requirements });
}

/** The experimental Positron shell's virtualenv: Django's pins plus Toga (experiments/positron/requirements.txt). */
export const positronDir = path.join(repoRoot, "experiments", "positron");

/** experiments/positron/.venv, made or updated when needed; its python. */
export function positronVenv(log: (line: string) => void = console.log): string {
  return ensureVenv(log, { venv: path.join(positronDir, ".venv"), requirements: path.join(positronDir, "requirements.txt") });
}

/** ensureVenv() for commands that need Django: a missing Python prints what to do and exits. */
export function ensureVenvOrExit(): string {
  try {
    return ensureVenv();
  } catch (error) {
    if (!(error instanceof PythonSetupError)) throw error;
    console.error(`\n${error.message}\n`);
    process.exit(1);
  }
}
