/**
 * Offline inputs for the stage, made from this machine: a runtime archive
 * shaped like python-build-standalone's install_only_stripped archives, and a
 * wheelhouse of the project's Python dependencies.
 *
 * The archive comes from a pyenv-built CPython 3.12 or newer (Django 6 needs
 * 3.12), which relocates once its runtime library path is relative: the copy
 * holds bin/python3.X, lib/python3.X and lib/libpython3.X.so, and the
 * RUNPATH that pyenv sets to its own install folder, in the binary, libpython
 * and every extension module, is rewritten relative to $ORIGIN (the binary's
 * to $ORIGIN/../lib, as python-build-standalone's is). Like the release's
 * "stripped" archives, the interpreter, libpython and the extension modules
 * lose their debug sections (pyenv builds with -g: without this, libpython
 * alone is about 30 MB of the bundle). pip comes from the stdlib's own
 * ensurepip wheel. The tests and the benchmark stage from it
 * with --python-archive, the same path an air-gapped build machine takes.
 * Both results are cached in .stage/cache under a key of their inputs.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { c as createTar } from "tar";
import { libraryPaths } from "./libraryPaths";
import { sha256File } from "./runtimeArchive";

/** The oldest Python the staged Django runs on. */
const MIN_MINOR = 12;
/** Part of the cache key: bump it when the archive's layout changes. */
const ARCHIVE_FORMAT = "5";

interface LocalInterpreter {
  /** The install folder: bin/, lib/python3.X, lib/libpython3.X.so.1.0. */
  prefix: string;
  /** "3.12" */
  version: string;
  pipWheel: string;
}

/** The install at `prefix` of Python `version` ("3.12"), when it has what the archive needs: a shared libpython and pip's wheel. */
function installAt(prefix: string, version: string): LocalInterpreter | undefined {
  const bundled = path.join(prefix, "lib", `python${version}`, "ensurepip", "_bundled");
  const pipWheel = existsSync(bundled) ? readdirSync(bundled).find((file) => /^pip-.*\.whl$/.test(file)) : undefined;
  const complete =
    existsSync(path.join(prefix, "bin", `python${version}`)) &&
    existsSync(path.join(prefix, "lib", `python${version}`, "os.py")) &&
    existsSync(path.join(prefix, "lib", `libpython${version}.so.1.0`));
  return complete && pipWheel ? { prefix, version, pipWheel: path.join(bundled, pipWheel) } : undefined;
}

/** pyenv's CPython 3.12+ installs, 3.12 first (the pinned runtime's minor version), then newer. */
function pyenvInterpreters(home: string): LocalInterpreter[] {
  const versions = path.join(process.env.PYENV_ROOT ?? path.join(home, ".pyenv"), "versions");
  if (!existsSync(versions)) return [];
  return readdirSync(versions)
    .map((name) => ({ name, match: /^3\.(\d+)\.(\d+)$/.exec(name) }))
    .filter(({ match }) => match && Number(match[1]) >= MIN_MINOR)
    .sort((a, b) => Number(a.match![1]) - Number(b.match![1]) || Number(b.match![2]) - Number(a.match![2]))
    .flatMap(({ name, match }) => installAt(path.join(versions, name), `3.${match![1]}`) ?? []);
}

/** The install an interpreter given by its path belongs to (a virtualenv's Python leads to its base install). */
function interpreterAt(python: string): LocalInterpreter | string {
  const asked = spawnSync(python, ["-I", "-c", "import sys; print(sys.base_prefix); print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" });
  if (asked.status !== 0) return `${python} does not run as Python (${asked.error?.message ?? asked.stderr.trim().split("\n").at(-1)})`;
  const [prefix = "", version = ""] = asked.stdout.trim().split("\n");
  if (Number(version.split(".")[1]) < MIN_MINOR) return `${python} is Python ${version}, and the staged Django needs 3.${MIN_MINOR} or newer`;
  return (
    installAt(prefix, version) ??
    `${python} (installed in ${prefix}) has no shared libpython${version}.so.1.0 or no ensurepip wheel of pip; build it with --enable-shared, as pyenv does (PYTHON_CONFIGURE_OPTS=--enable-shared pyenv install ${version})`
  );
}

/**
 * The interpreter to copy, or a string that says why there is none: `python` is a minor version ("3.13"; default:
 * the oldest 3.12+ in pyenv's installs), looked up in pyenv's installs, or the path of an interpreter.
 */
function localInterpreter(python?: string): LocalInterpreter | string {
  if (process.platform !== "linux") return `a local runtime archive is built from a Python on Linux (pyenv's, or one built with a shared libpython), and this is ${process.platform}`;
  if (python !== undefined && !/^3\.\d+$/.test(python)) return interpreterAt(python);
  const found = pyenvInterpreters(os.homedir()).find((interpreter) => python === undefined || interpreter.version === python);
  return (
    found ??
    `no pyenv-built Python ${python ?? `3.${MIN_MINOR}+`} (with its shared libpython) was found in ~/.pyenv/versions: install it with \`pyenv install ${python ?? `3.${MIN_MINOR}`}\`, or pass the path of another Python`
  );
}

/** Why a local runtime archive of `python` (a version or a path; default: the oldest 3.12+ of pyenv's) cannot be built here, or undefined when it can. */
export function localRuntimeUnavailable(python?: string): string | undefined {
  const found = localInterpreter(python);
  return typeof found === "string" ? found : undefined;
}

/**
 * Rewrites each absolute RUNPATH (or RPATH) of the ELF file `binary` to
 * `relative`, a path from $ORIGIN, the file's own folder. pyenv sets it to
 * its install folder in the interpreter, libpython and every extension
 * module; left so, the copy would look for libraries on the build machine
 * and the stage refuses the archive (runtimeArchive.ts). The new path is
 * shorter, so it is written over the old string in the dynamic string
 * table, padded with NUL bytes: the same in-place edit patchelf makes for a
 * shorter path.
 */
function makeLibraryPathsRelative(binary: string, relative: string): void {
  const bytes = readFileSync(binary);
  const absolute = libraryPaths(bytes).filter((entry) => entry.offset !== undefined && entry.value.startsWith("/"));
  if (absolute.length === 0) return;
  for (const entry of absolute) {
    if (relative.length > entry.value.length) throw new Error(`${binary}: its ${entry.kind} ${entry.value} is shorter than ${relative}, so it cannot be rewritten in place`);
    const replacement = Buffer.alloc(Buffer.byteLength(entry.value));
    replacement.write(relative);
    replacement.copy(bytes, entry.offset);
  }
  writeFileSync(binary, bytes, { mode: statSync(binary).mode });
}

/** The interpreter finds libpython in ../lib, libpython and the extension modules find nothing outside the copy. */
function makeRuntimeRelocatable(pythonDir: string, version: string): void {
  const dynload = path.join(pythonDir, "lib", `python${version}`, "lib-dynload");
  makeLibraryPathsRelative(path.join(pythonDir, "bin", `python${version}`), "$ORIGIN/../lib");
  makeLibraryPathsRelative(path.join(pythonDir, "lib", `libpython${version}.so.1.0`), "$ORIGIN");
  for (const name of readdirSync(dynload).filter((file) => file.endsWith(".so"))) makeLibraryPathsRelative(path.join(dynload, name), "$ORIGIN/../..");
}

function check(result: ReturnType<typeof spawnSync>, what: string): void {
  if (result.status !== 0) throw new Error(`${what} failed:\n${String(result.stdout ?? "")}${String(result.stderr ?? "")}`);
}

export interface LocalArchive {
  file: string;
  sha256: string;
}

/**
 * Drops the debug sections of the interpreter, libpython and lib-dynload's
 * extension modules (`strip --strip-debug`, which keeps the symbol table).
 */
function stripDebugSections(pythonDir: string, version: string): void {
  const dynload = path.join(pythonDir, "lib", `python${version}`, "lib-dynload");
  const binaries = [
    path.join(pythonDir, "bin", `python${version}`),
    path.join(pythonDir, "lib", `libpython${version}.so.1.0`),
    ...readdirSync(dynload)
      .filter((name) => name.endsWith(".so"))
      .map((name) => path.join(dynload, name)),
  ];
  // pyenv installs libpython read-only; strip writes the file in place.
  for (const binary of binaries) chmodSync(binary, statSync(binary).mode | 0o200);
  const result = spawnSync("strip", ["--strip-debug", ...binaries], { encoding: "utf8" });
  if (result.error) {
    throw new Error(`Cannot run strip (${result.error.message}): building the local runtime archive needs GNU binutils (on Debian: apt install binutils).`);
  }
  check(result, "Stripping the debug sections of the copied interpreter");
}

/**
 * Builds (or reuses from `cacheDir`) cpython-<version>-local-<key>-install_only_stripped.tar.gz
 * from `python`, a minor version or an interpreter's path: by default the oldest 3.12+ of
 * pyenv's, the minor version of the runtime the stage downloads.
 */
export async function buildLocalRuntimeArchive(cacheDir: string, log: (line: string) => void = console.log, python?: string): Promise<LocalArchive> {
  const found = localInterpreter(python);
  if (typeof found === "string") throw new Error(`Cannot build a local Python runtime archive: ${found}.`);
  const binary = path.join(found.prefix, "bin", `python${found.version}`);
  const libpython = `libpython${found.version}.so.1.0`;
  const key = createHash("sha256").update(ARCHIVE_FORMAT).update(readFileSync(binary)).update(path.basename(found.pipWheel)).digest("hex").slice(0, 16);
  const file = path.join(cacheDir, `cpython-${found.version}-local-${key}-install_only_stripped.tar.gz`);
  if (existsSync(file) && existsSync(`${file}.sha256`)) return { file, sha256: readFileSync(`${file}.sha256`, "utf8").trim() };

  log(`Building a local runtime archive from ${binary}`);
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(path.join(cacheDir, "local-runtime-"));
  try {
    const pythonDir = path.join(work, "python");
    const stdlib = path.join(pythonDir, "lib", `python${found.version}`);
    mkdirSync(path.join(pythonDir, "bin"), { recursive: true });
    const copiedBinary = path.join(pythonDir, "bin", `python${found.version}`);
    cpSync(binary, copiedBinary);
    symlinkSync(`python${found.version}`, path.join(pythonDir, "bin", "python3"));
    cpSync(path.join(found.prefix, "lib", libpython), path.join(pythonDir, "lib", libpython));
    cpSync(path.join(found.prefix, "lib", `python${found.version}`), stdlib, {
      recursive: true,
      verbatimSymlinks: true,
      // Left out: bytecode (the stage compiles its own), the static libpython
      // for building extensions, and whatever was pip-installed into pyenv's copy.
      filter: (source) =>
        path.basename(source) !== "__pycache__" && !source.endsWith(".a") && path.dirname(source) !== path.join(found.prefix, "lib", `python${found.version}`, "site-packages"),
    });

    stripDebugSections(pythonDir, found.version);
    makeRuntimeRelocatable(pythonDir, found.version);

    const python = path.join(pythonDir, "bin", "python3");
    const isolated = { env: { PATH: "/usr/bin:/bin" }, encoding: "utf8" as const };
    const linked = spawnSync("ldd", [copiedBinary], isolated);
    check(linked, "Listing the copied interpreter's libraries");
    const loaded = new RegExp(`${libpython.replaceAll(".", "\\.")} => (\\S+)`).exec(linked.stdout)?.[1];
    if (!loaded || path.resolve(loaded) !== path.join(pythonDir, "lib", libpython)) {
      throw new Error(`The copied interpreter does not load its own ${libpython}:\n${linked.stdout}`);
    }
    const purelib = spawnSync(python, ["-I", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], isolated);
    check(purelib, "Asking the copied interpreter for its site folder");
    const siteDir = purelib.stdout.trim();
    mkdirSync(siteDir, { recursive: true });
    check(spawnSync(python, ["-I", "-m", "zipfile", "-e", found.pipWheel, siteDir], isolated), "Unpacking pip into the copied interpreter");
    check(
      spawnSync(python, ["-c", "import sqlite3, ssl, zoneinfo, pip, sys; assert sys.prefix == sys.argv[1], sys.prefix", pythonDir], isolated),
      "Importing sqlite3, ssl and pip from the copied interpreter, with sys.prefix at the copy",
    );

    const partial = path.join(work, "archive.tar.gz");
    await createTar({ gzip: true, file: partial, cwd: work, portable: true }, ["python"]);
    const sha256 = await sha256File(partial);
    renameSync(partial, file);
    writeFileSync(`${file}.sha256`, `${sha256}\n`);
    return { file, sha256 };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * A folder of wheels for `requirements` (cached by its content), fetched once
 * with `pip download` from whatever index pip is configured with. Staging with
 * --wheelhouse then installs from it with no index at all.
 */
export function buildWheelhouse(cacheDir: string, requirements: string, python: string, log: (line: string) => void = console.log): string {
  const key = createHash("sha256").update(readFileSync(requirements)).digest("hex").slice(0, 16);
  const dir = path.join(cacheDir, `wheelhouse-${key}`);
  if (existsSync(dir)) return dir;
  log(`Downloading the wheels of ${path.basename(requirements)} into ${dir}`);
  mkdirSync(cacheDir, { recursive: true });
  const partial = mkdtempSync(`${dir}.partial-`);
  try {
    check(
      // Two retries, not pip's five with backoff: where one configured index is unreachable, that saves about 20 s.
      spawnSync(python, ["-m", "pip", "download", "--disable-pip-version-check", "-q", "--retries", "2", "-r", requirements, "-d", partial], {
        encoding: "utf8",
      }),
      "Downloading the Python dependencies as wheels",
    );
    renameSync(partial, dir);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(dir)) throw error;
  }
  return dir;
}
