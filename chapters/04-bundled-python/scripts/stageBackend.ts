/**
 * Builds the backend bundle a packaged app ships: a Python runtime that needs
 * nothing from the user's machine, the project's dependencies installed into
 * it, the Django code, its collected static files, and manifest.json.
 *
 *   <bundle>/python/        python-build-standalone "install_only" runtime
 *   <bundle>/django/        the Django project: in a git checkout what git tracks; never venvs, tests, caches
 *                           or local data (projectFiles.ts)
 *   <bundle>/static/        collectstatic output, served by the packaged settings
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
import { bundleDigest, bundleSizeByPart, directorySize, formatMegabytes, formatPackageTable, formatSizeTable, largestPackages } from "./bundle";
import { copyProjectFiles, describeLeftOut, type LeftOut, projectFileRules, type ProjectFileRules } from "./projectFiles";
import { DJANGO_FACTS_SCRIPT, type DjangoFacts, isInside, pruneDjango, pruneRuntime, removeCachesAndSources, type RuntimePaths } from "./pruneBundle";
import { releaseAsset, type PythonRelease, PYTHON_RELEASE } from "./pythonRelease";
import { cachedRuntimeArchive, checkRuntimeArchive, localRuntimeArchive, type RuntimeArchive } from "./runtimeArchive";

export const PACKAGED_SETTINGS = "desktop_django_starter.settings.packaged";

export interface StageOptions {
  repoRoot: string;
  /** The bundle folder to (re)create; default <repo>/.stage/backend. */
  bundleDir?: string;
  /** Downloads are cached here; default <repo>/.stage/cache. */
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

/** Folders and files of django/ that a packaged app does not need. */
const DJANGO_EXCLUDED = new Set([".git", ".venv", ".dev-data", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", "node_modules", "tests", "conftest.py", "tests.py"]);
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

/**
 * Why the bundle leaves a path of django/ (relative, with /) out, or undefined
 * when it ships (the rules are projectFiles.ts's). "not needed": virtualenvs,
 * caches, tests. "local": the developer's secrets and data. "untracked": in a
 * git checkout, what git does not track.
 */
export function djangoFileRules(djangoDir: string): ProjectFileRules {
  return projectFileRules(djangoDir, {
    notNeeded: (relative) => {
      const name = relative.split("/").pop()!;
      return DJANGO_EXCLUDED.has(name) || DJANGO_EXCLUDED_SUFFIXES.some((suffix) => name.endsWith(suffix));
    },
  });
}

/** Copies the Django project into the bundle; returns what it left out, and why. */
export function copyDjangoProject(source: string, destination: string): LeftOut {
  return copyProjectFiles(source, destination, djangoFileRules(source));
}

/** A digest of the django/ files a stage ships, to tell whether a staged bundle is out of date. */
export function djangoProjectDigest(djangoDir: string): string {
  const rules = djangoFileRules(djangoDir);
  return bundleDigest(djangoDir, (relative) => rules.reason(relative) !== undefined);
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

/** Runs the bundled Python in the bundle's django/ folder with the packaged settings and a throwaway app-data folder. */
function djangoInBundle(bundleDir: string, interpreter: string, args: string[], what: string): string {
  const appData = mkdtempSync(path.join(os.tmpdir(), "dds-stage-app-data-"));
  try {
    return run(path.join(bundleDir, interpreter), args, what, {
      cwd: path.join(bundleDir, "django"),
      env: isolatedPythonEnv({
        DJANGO_SETTINGS_MODULE: PACKAGED_SETTINGS,
        DESKTOP_DJANGO_BUNDLE_DIR: bundleDir,
        DESKTOP_DJANGO_APP_DATA_DIR: appData,
        DESKTOP_DJANGO_HOST: "127.0.0.1",
      }),
    });
  } finally {
    removeFolder(appData);
  }
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
  return cachedRuntimeArchive(releaseAsset(platform, arch, options.release ?? PYTHON_RELEASE), cacheDir, log);
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
  const bundleDir = path.resolve(options.bundleDir ?? path.join(options.repoRoot, ".stage", "backend"));
  const cacheDir = options.cacheDir ?? path.join(options.repoRoot, ".stage", "cache");
  const djangoDir = path.join(options.repoRoot, "django");
  if (!existsSync(path.join(djangoDir, "manage.py"))) throw new StageError(`${djangoDir}/manage.py is missing: run the stage from the desktop-django-starter repository.`);
  if (options.wheelhouse && !existsSync(options.wheelhouse)) throw new StageError(`The wheelhouse ${options.wheelhouse} does not exist. Fill it with \`pip download -r django/requirements.txt -d <dir>\`.`);

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

    installDependencies(python, path.join(djangoDir, "requirements.txt"), options.wheelhouse, log);
    leftOut = copyDjangoProject(djangoDir, path.join(staging, "django"));
    for (const line of describeLeftOut(leftOut)) log(line);
    log("Collecting static files");
    djangoInBundle(staging, interpreter, ["manage.py", "collectstatic", "--noinput", "--verbosity", "0"], "Collecting static files");
    const django = JSON.parse(djangoInBundle(staging, interpreter, ["-c", DJANGO_FACTS_SCRIPT], "Asking Django for its installed apps and languages")) as DjangoFacts;

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
    djangoInBundle(staging, interpreter, ["manage.py", "check", "--fail-level", "ERROR"], "Django's system checks in the bundle");

    const manifest: BundleManifest = {
      pythonVersion: runtime.version,
      interpreter,
      managePy: "django/manage.py",
      settingsModule: PACKAGED_SETTINGS,
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
      error.message += `\nNot tracked by git, so left out of the bundle: ${leftOut.untracked.join(", ")}. If the app needs one of them, \`git add\` it and stage again.`;
    }
    throw error;
  }
}
