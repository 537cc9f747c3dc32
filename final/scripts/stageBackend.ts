/**
 * Builds the backend bundle a packaged app ships: a Python runtime that needs
 * nothing from the user's machine, the project's dependencies installed into
 * it, the Django code, its collected static files, and manifest.json.
 *
 *   <bundle>/python/        python-build-standalone "install_only" runtime
 *   <bundle>/django/        the Django project from src/project.ts: in a git checkout what git tracks and what
 *                           its frontend build wrote; never venvs, tests, caches, this shell or local data (projectFiles.ts)
 *   <bundle>/static/        collectstatic output, served by the packaged settings, collected from the
 *                           developer's checkout after the frontend build, so git-ignored build output is in it
 *   <bundle>/manifest.json  what the shell reads to start it (see src/backendRoot.ts)
 *
 * Everything happens in a temporary folder beside the bundle, renamed into
 * place only when every step succeeded: a failed stage leaves nothing behind.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, createReadStream, existsSync, mkdirSync, mkdtempSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { x as extractTar } from "tar";
import type { BundleManifest } from "../src/backendRoot";
import { projectPaths, type ProjectPaths } from "../src/paths";
import project from "../src/project";
import { bundleDigest, bundleSizeByPart, directorySize, formatMegabytes, formatPackageTable, formatSizeTable, largestPackages } from "./bundle";
import { filesWrittenSince, type FrontendBuild, runFrontendBuild } from "./frontendBuild";
import { copyProjectFiles, describeLeftOut, type LeftOut, projectFileRules, type ProjectFileRules } from "./projectFiles";
import { DJANGO_FACTS_SCRIPT, type DjangoFacts, isInside, pruneDjango, pruneRuntime, removeCachesAndSources, type RuntimePaths } from "./pruneBundle";
import { releaseAsset, releaseFor, type PythonRelease } from "./pythonRelease";
import { cachedRuntimeArchive, checkRuntimeArchive, localRuntimeArchive, type RuntimeArchive } from "./runtimeArchive";

export interface StageOptions {
  /** The project to stage; default: the one src/project.ts names. */
  paths?: ProjectPaths;
  /** The packaged settings module; default: src/project.ts's. */
  settingsModule?: string;
  /** The project's frontend build, run before collectstatic; default: src/project.ts's. */
  frontendBuild?: FrontendBuild;
  /** The bundle folder to (re)create; default <stage>/backend. */
  bundleDir?: string;
  /** Downloads are cached here; default <stage>/cache. */
  cacheDir?: string;
  /** Stage from this local install_only archive instead of downloading. */
  pythonArchive?: string;
  /** Expected SHA-256 of pythonArchive; checked when given. */
  pythonSha256?: string;
  /** Install the Python dependencies from this folder of wheels only, without an index. */
  wheelhouse?: string;
  platform?: string;
  arch?: string;
  release?: PythonRelease;
  log?: (line: string) => void;
}

export interface StageResult {
  bundleDir: string;
  manifest: BundleManifest;
  sizeBeforePruning: number;
  sizeAfterPruning: number;
}

export class StageError extends Error {}

/** Folders and files of the Django project that a packaged app does not need. */
const DJANGO_EXCLUDED = new Set([".git", ".venv", "venv", ".dev-data", ".stage", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", "node_modules", "tests", "conftest.py", "tests.py"]);
const DJANGO_EXCLUDED_SUFFIXES = [".pyc", "requirements-dev.txt"];


/** Environment for running the bundled interpreter: nothing from a Python or virtualenv on this machine leaks in. */
export function isolatedPythonEnv(extra: Record<string, string> = {}, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) {
    if (name.startsWith("PYTHON") || name === "VIRTUAL_ENV" || name === "__PYVENV_LAUNCHER__") continue;
    env[name] = value;
  }
  return { ...env, PYTHONNOUSERSITE: "1", PYTHONDONTWRITEBYTECODE: "1", ...extra };
}

function run(command: string, args: string[], what: string, options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): string {
  const result = spawnSync(command, args, {
    env: options.env ?? isolatedPythonEnv(),
    cwd: options.cwd,
    encoding: "utf8",
    windowsHide: true,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error || result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n").slice(-25).join("\n");
    throw new StageError(`${what} failed (${[command, ...args].join(" ")}):\n${output || result.error?.message}`);
  }
  return result.stdout;
}

interface RuntimeInfo {
  version: string;
  paths: RuntimePaths & Record<string, string>;
}

const RUNTIME_INFO_SCRIPT = "import json, sys, sysconfig; print(json.dumps({'version': '%d.%d.%d' % sys.version_info[:3], 'paths': sysconfig.get_paths()}))";

function runtimeInfo(python: string): RuntimeInfo {
  return JSON.parse(run(python, ["-c", RUNTIME_INFO_SCRIPT], "Asking the bundled Python for its version and folders")) as RuntimeInfo;
}

/** The interpreter inside an unpacked install_only archive: python/python.exe on Windows, python/bin/python3 elsewhere. */
export function findInterpreter(bundleDir: string): string {
  for (const candidate of ["python/python.exe", "python/bin/python3"]) {
    if (existsSync(path.join(bundleDir, candidate))) return candidate;
  }
  throw new StageError(
    "The archive has no python/bin/python3 or python/python.exe: it is not a python-build-standalone install_only archive.\n" +
      "Use an archive whose name ends in -install_only_stripped.tar.gz or -install_only.tar.gz.",
  );
}

function installDependencies(python: string, requirements: string, wheelhouse: string | undefined, log: (line: string) => void): void {
  const hasPip = spawnSync(python, ["-m", "pip", "--version"], { env: isolatedPythonEnv(), windowsHide: true }).status === 0;
  if (!hasPip) run(python, ["-m", "ensurepip", "--default-pip"], "Installing pip into the bundled Python");
  const source = wheelhouse ? ["--no-index", "--find-links", wheelhouse] : [];
  // --no-cache-dir: pip keeps no cache of its own, in the bundle or elsewhere; --no-compile: compileBytecode() does that once, at the end.
  log(wheelhouse ? `Installing ${path.basename(requirements)} from the wheelhouse ${wheelhouse} (no index)` : `Installing ${path.basename(requirements)} from the package index`);
  run(
    python,
    ["-m", "pip", "install", "--disable-pip-version-check", "--no-warn-script-location", "--no-cache-dir", "--no-compile", ...source, "-r", requirements],
    "Installing the Python dependencies into the bundle",
  );
}

/** The shell's own rules: what a packaged app does not need, whatever git says. */
function notNeeded(paths: ProjectPaths): (relative: string) => boolean {
  const shell = path.relative(paths.djangoDir, paths.shellDir).split(path.sep).join("/");
  return (relative) => {
    const name = relative.split("/").pop()!;
    if (relative === shell || relative.startsWith(`${shell}/`)) return true;
    return DJANGO_EXCLUDED.has(name) || DJANGO_EXCLUDED_SUFFIXES.some((suffix) => name.endsWith(suffix));
  };
}

/**
 * Why the bundle leaves a path of the Django project (relative, with /) out, or
 * undefined when it ships (the rules are projectFiles.ts's). "not needed":
 * virtualenvs, caches, tests, and the shell's own folder when it sits inside the
 * project, as a wrapped project's desktop/ does. "local": the developer's
 * secrets and data. "untracked": in a git checkout, what git does not track,
 * unless the project's frontend build wrote it (`built`).
 */
export function djangoFileRules(paths: ProjectPaths, built: Iterable<string> = []): ProjectFileRules {
  return projectFileRules(paths.djangoDir, { notNeeded: notNeeded(paths), built });
}

/** At most the first 20 paths, and how many more. */
function summarise(paths: string[]): string {
  return paths.length > 20 ? `${paths.slice(0, 20).join(", ")} and ${paths.length - 20} more` : paths.join(", ");
}

/** Copies the Django project into the bundle; returns what it left out, and why. */
export function copyDjangoProject(paths: ProjectPaths, destination: string, built: Iterable<string> = []): LeftOut {
  return copyProjectFiles(paths.djangoDir, destination, djangoFileRules(paths, built));
}

/** A digest of the project files a stage ships, to tell whether a staged bundle is out of date. */
export function djangoProjectDigest(paths: ProjectPaths = projectPaths()): string {
  const rules = djangoFileRules(paths);
  return bundleDigest(paths.djangoDir, (relative) => rules.reason(relative) !== undefined);
}

/**
 * Compiles every module once, at stage time. "unchecked-hash" .pyc files are
 * used without comparing them to the source's timestamp, so copying or signing
 * the bundle keeps them valid and Python never tries to write into the bundle.
 */
function compileBytecode(python: string, bundleDir: string, runtime: RuntimeInfo): void {
  const candidates = [runtime.paths.stdlib, runtime.paths.purelib, runtime.paths.platlib, path.join(bundleDir, "django")]
    .filter((dir): dir is string => isInside(dir, bundleDir))
    .map((dir) => realpathSync.native(dir));
  const roots = [...new Set(candidates)].filter((dir, _index, all) => !all.some((other) => other !== dir && dir.startsWith(other + path.sep)));
  run(python, ["-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", ...roots], "Compiling the bundle's Python modules");
}

/**
 * Runs the bundled Python with the packaged settings and a throwaway app-data
 * folder, in the bundle's django/ folder or, given `cwd`, in another copy of the project.
 */
function djangoInBundle(bundleDir: string, interpreter: string, settingsModule: string, args: string[], what: string, cwd = path.join(bundleDir, "django")): string {
  const appData = mkdtempSync(path.join(os.tmpdir(), "dds-stage-app-data-"));
  try {
    return run(path.join(bundleDir, interpreter), args, what, {
      cwd,
      env: isolatedPythonEnv({
        DJANGO_SETTINGS_MODULE: settingsModule,
        DESKTOP_DJANGO_BUNDLE_DIR: bundleDir,
        DESKTOP_DJANGO_APP_DATA_DIR: appData,
        DESKTOP_DJANGO_HOST: "127.0.0.1",
      }),
    });
  } finally {
    removeFolder(appData);
  }
}

const STATIC_ROOT_SCRIPT = [
  "import django, json",
  "from pathlib import Path",
  "django.setup()",
  "from django.conf import settings",
  "from django.contrib.staticfiles.storage import staticfiles_storage",
  "location = getattr(staticfiles_storage, 'location', '')",
  // Resolved, as realpath resolves the staging folder: macOS's temporary folders sit behind /var -> /private/var.
  "resolved = lambda value: str(Path(value).resolve()) if value else ''",
  "print(json.dumps({'root': resolved(settings.STATIC_ROOT), 'location': resolved(location)}))",
].join("\n");

/**
 * Runs collectstatic in the developer's checkout, not in the bundle's copy:
 * static files a frontend build wrote into folders git ignores, which the
 * copy leaves out, are collected all the same. The packaged settings'
 * STATIC_ROOT must be the bundle's static/ folder, so nothing is written into
 * the checkout.
 */
function collectStatic(staging: string, interpreter: string, settingsModule: string, djangoDir: string): void {
  const { root, location } = JSON.parse(
    djangoInBundle(staging, interpreter, settingsModule, ["-c", STATIC_ROOT_SCRIPT], "Asking Django where collectstatic writes", djangoDir),
  ) as { root: string; location: string };
  const expected = path.join(realpathSync.native(staging), "static");
  const same = (a: string, b: string) => (process.platform === "win32" ? a.toLowerCase() === b.toLowerCase() : a === b);
  if (!root || !same(path.resolve(root), expected)) {
    throw new StageError(
      `The packaged settings (${settingsModule}) put STATIC_ROOT at ${root || "(not set)"}; the bundle serves its static files from ${expected}.\n` +
        'Set STATIC_ROOT = Path(os.environ["DESKTOP_DJANGO_BUNDLE_DIR"]) / "static" in the packaged settings.',
    );
  }
  if (!location || !same(path.resolve(location), expected)) {
    throw new StageError(
      `The packaged settings' static files storage writes to ${location || "somewhere that is no folder (a cloud storage?)"}, not to STATIC_ROOT (${expected}).\n` +
        'Set STORAGES["staticfiles"] in the packaged settings to a file-system storage such as "whitenoise.storage.CompressedManifestStaticFilesStorage".',
    );
  }
  djangoInBundle(staging, interpreter, settingsModule, ["manage.py", "collectstatic", "--noinput", "--verbosity", "0"], "Collecting static files", djangoDir);
}

/** rm -rf, retried for a moment: on Windows a virus scanner or a Python that just exited can still hold a file. */
function removeFolder(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
}

async function obtainArchive(options: StageOptions, cacheDir: string, platform: string, arch: string, log: (line: string) => void): Promise<RuntimeArchive> {
  if (options.pythonArchive) {
    log(`Using the local Python archive ${options.pythonArchive}${options.pythonSha256 ? " (verifying its SHA-256)" : " (no checksum given, not verified)"}`);
    return localRuntimeArchive(options.pythonArchive, options.pythonSha256);
  }
  // The CPython version src/project.ts names (the wrap reads it from the project), from the pinned release.
  return cachedRuntimeArchive(releaseAsset(platform, arch, options.release ?? releaseFor(project.pythonVersion)), cacheDir, log);
}

/** Replaces `bundleDir` with the finished `staging` folder in two renames, so readers never see a half-built bundle. */
function moveIntoPlace(staging: string, bundleDir: string): void {
  const previous = `${bundleDir}.previous-${process.pid}`;
  if (existsSync(bundleDir)) renameSync(bundleDir, previous);
  renameSync(staging, bundleDir);
  removeFolder(previous);
}

export async function stageBackend(options: StageOptions): Promise<StageResult> {
  const log = options.log ?? console.log;
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const paths = options.paths ?? projectPaths();
  const settingsModule = options.settingsModule ?? project.settings.packaged;
  const frontendBuild = options.frontendBuild ?? project.frontendBuild;
  const bundleDir = path.resolve(options.bundleDir ?? path.join(paths.stageDir, "backend"));
  const cacheDir = options.cacheDir ?? path.join(paths.stageDir, "cache");
  if (!existsSync(paths.managePy)) {
    throw new StageError(`${paths.managePy} is missing: src/project.ts's djangoDir must name the folder that holds manage.py.`);
  }
  if (!existsSync(paths.requirements)) {
    throw new StageError(`${paths.requirements} is missing: src/project.ts's requirements must name the project's runtime requirements file.`);
  }
  if (options.wheelhouse && !existsSync(options.wheelhouse)) {
    throw new StageError(`The wheelhouse ${options.wheelhouse} does not exist. Fill it with \`pip download -r ${paths.requirements} -d <dir>\`.`);
  }

  // First, and in the developer's checkout: a failing build stops the stage before anything is downloaded.
  const rules = djangoFileRules(paths);
  let built: string[] = [];
  if (frontendBuild.commands.length) {
    const started = runFrontendBuild(paths.djangoDir, frontendBuild, log);
    // In a git checkout the build's output ships although git ignores it; outside git everything not local ships anyway.
    if (rules.git) built = filesWrittenSince(paths.djangoDir, started, (relative) => rules.reason(relative) === "not needed").filter((file) => rules.reason(file) === "untracked");
  }

  const archive = await obtainArchive(options, cacheDir, platform, arch, log);
  await checkRuntimeArchive(archive.file);
  mkdirSync(path.dirname(bundleDir), { recursive: true });
  const staging = mkdtempSync(`${bundleDir}.partial-`);
  let leftOut: LeftOut | undefined;
  try {
    // mkdtemp makes a private folder; an installed app's resources must be readable by every user.
    chmodSync(staging, 0o755);
    log(`Unpacking ${path.basename(archive.file)}`);
    // One pipeline, so a damaged archive fails the stage: given the file
    // itself, tar's extractor never settles on some corrupt gzip streams.
    await pipeline(createReadStream(archive.file), createGunzip(), extractTar({ cwd: staging, strict: true }));
    const interpreter = findInterpreter(staging);
    const python = path.join(staging, interpreter);
    const runtime = runtimeInfo(python);
    log(`Bundled Python ${runtime.version}`);
    if (!runtime.version.startsWith(`${project.pythonVersion}.`)) {
      log(`Note: src/project.ts's pythonVersion is ${project.pythonVersion}, and this runtime is Python ${runtime.version}: the app ships the runtime's version.`);
    }

    installDependencies(python, paths.requirements, options.wheelhouse, log);
    leftOut = copyDjangoProject(paths, path.join(staging, "django"), built);
    for (const line of describeLeftOut(leftOut)) log(line);
    if (built.length) log(`Shipping ${built.length} file${built.length === 1 ? "" : "s"} the frontend build wrote: ${summarise(built)}`);
    log("Collecting static files (from the project's own folder, with what its build wrote)");
    collectStatic(staging, interpreter, settingsModule, paths.djangoDir);
    const django = JSON.parse(djangoInBundle(staging, interpreter, settingsModule, ["-c", DJANGO_FACTS_SCRIPT], "Asking Django for its installed apps and languages")) as DjangoFacts;

    const sizeBeforePruning = directorySize(staging);
    pruneRuntime(staging, runtime.paths);
    // Real paths throughout: Python reports them resolved, and the pruning compares them.
    const realStaging = realpathSync.native(staging);
    const sourceRoots = [...new Set([runtime.paths.purelib, runtime.paths.platlib, path.join(staging, "django")].filter((dir) => isInside(dir, staging)).map((dir) => realpathSync.native(dir)))];
    const pruned = pruneDjango({ ...django, djangoPackage: realpathSync.native(django.djangoPackage) }, sourceRoots);
    for (const { app, importedBy } of pruned.keptApps) log(`Keeping django.contrib.${app} although it is not installed: ${path.relative(realStaging, importedBy)} imports it`);
    log(`Pruned ${pruned.removedApps.length ? `django.contrib.${pruned.removedApps.join(", django.contrib.")}` : "no contrib apps"} and ${pruned.removedLocales} locale folders (kept: ${django.locales.join(", ")}, the languages LANGUAGES allows)`);
    if (pruned.removedBackends.length) log(`Pruned Django's ${pruned.removedBackends.join(", ")} database backends: every database in DATABASES is SQLite`);
    removeCachesAndSources(staging);
    compileBytecode(python, staging, runtime);
    const sizeAfterPruning = directorySize(staging);
    log(`Bundle size: ${formatMegabytes(sizeBeforePruning)} before pruning, ${formatMegabytes(sizeAfterPruning)} after (compiled bytecode included)`);

    log("Checking the bundle: imports and Django's system checks");
    run(python, ["-c", "import sqlite3, ssl, json, email, zoneinfo, decimal, uuid, django"], "Importing the modules Django needs from the pruned runtime");
    djangoInBundle(staging, interpreter, settingsModule, ["manage.py", "check", "--fail-level", "ERROR"], "Django's system checks in the bundle");

    const manifest: BundleManifest = {
      pythonVersion: runtime.version,
      interpreter,
      managePy: "django/manage.py",
      settingsModule,
      staticDir: "static",
      runtime:
        archive.source.kind === "python-build-standalone"
          ? { ...archive.source, sha256: archive.sha256 }
          : { kind: "local archive", name: archive.source.name, sha256: archive.sha256 },
      platform,
      arch,
      digest: bundleDigest(staging, (relative) => relative === "manifest.json"),
    };
    writeFileSync(path.join(staging, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    moveIntoPlace(staging, bundleDir);
    log(`Staged ${bundleDir}`);
    for (const line of formatSizeTable(bundleSizeByPart(bundleDir))) log(line);
    for (const line of formatPackageTable(largestPackages(bundleDir, 10))) log(line);
    return { bundleDir, manifest, sizeBeforePruning, sizeAfterPruning };
  } catch (error) {
    removeFolder(staging);
    // A module the app imports may be one git does not track yet.
    if (error instanceof StageError && leftOut?.untracked.length) {
      error.message += `\nNot tracked by git, so left out of the bundle: ${summarise(leftOut.untracked)}. If the app needs one of them, \`git add\` it and stage again.`;
    }
    throw error;
  }
}
