/**
 * Offline inputs for the stage, made from this machine: a runtime archive
 * shaped like python-build-standalone's install_only archives, and a
 * wheelhouse of the project's Python dependencies.
 *
 * The archive comes from a Debian interpreter, which relocates cleanly:
 * /usr/bin/python3.X and /usr/lib/python3.X copied into python/bin and
 * python/lib run with `sys.prefix` pointing at the copy. Debian leaves pip
 * out of its interpreter, so pip's wheel from /usr/share/python-wheels is
 * unpacked into the copy's site folder. The tests and the benchmark stage from
 * it with --python-archive, the same path an air-gapped build machine takes.
 * Both results are cached in .stage/cache under a key of their inputs.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { c as createTar } from "tar";
import { sha256File } from "./runtimeArchive";

const WHEELS_DIR = "/usr/share/python-wheels";
/** Part of the cache key: bump it when the archive's layout changes. */
const ARCHIVE_FORMAT = "2";

interface LocalInterpreter {
  binary: string;
  stdlib: string;
  version: string;
  pipWheel: string;
}

function newestDebianInterpreter(): LocalInterpreter | string {
  if (process.platform !== "linux") return `a local runtime archive is built from Debian's Python, and this is ${process.platform}`;
  const versions = existsSync("/usr/bin")
    ? readdirSync("/usr/bin")
        .map((name) => /^python(3\.\d+)$/.exec(name)?.[1])
        .filter((version): version is string => !!version && existsSync(`/usr/lib/python${version}/os.py`))
        .sort((a, b) => Number(b.split(".")[1]) - Number(a.split(".")[1]))
    : [];
  const version = versions[0];
  if (!version) return "no Debian /usr/bin/python3.X with /usr/lib/python3.X was found";
  const pipWheel = existsSync(WHEELS_DIR) ? readdirSync(WHEELS_DIR).find((name) => /^pip-.*\.whl$/.test(name)) : undefined;
  if (!pipWheel) return `pip's wheel is not in ${WHEELS_DIR} (apt-get install python3-pip-whl)`;
  return { binary: `/usr/bin/python${version}`, stdlib: `/usr/lib/python${version}`, version, pipWheel: path.join(WHEELS_DIR, pipWheel) };
}

/** Why a local runtime archive cannot be built here, or undefined when it can. */
export function localRuntimeUnavailable(): string | undefined {
  const found = newestDebianInterpreter();
  return typeof found === "string" ? found : undefined;
}

function check(result: ReturnType<typeof spawnSync>, what: string): void {
  if (result.status !== 0) throw new Error(`${what} failed:\n${String(result.stdout ?? "")}${String(result.stderr ?? "")}`);
}

export interface LocalArchive {
  file: string;
  sha256: string;
}

/** Builds (or reuses from `cacheDir`) python-<version>-local-<key>-install_only.tar.gz. */
export async function buildLocalRuntimeArchive(cacheDir: string, log: (line: string) => void = console.log): Promise<LocalArchive> {
  const found = newestDebianInterpreter();
  if (typeof found === "string") throw new Error(`Cannot build a local Python runtime archive: ${found}.`);
  const key = createHash("sha256").update(ARCHIVE_FORMAT).update(readFileSync(found.binary)).update(path.basename(found.pipWheel)).digest("hex").slice(0, 16);
  const file = path.join(cacheDir, `cpython-${found.version}-local-${key}-install_only.tar.gz`);
  if (existsSync(file) && existsSync(`${file}.sha256`)) return { file, sha256: readFileSync(`${file}.sha256`, "utf8").trim() };

  log(`Building a local runtime archive from ${found.binary}`);
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(path.join(cacheDir, "local-runtime-"));
  try {
    const pythonDir = path.join(work, "python");
    mkdirSync(path.join(pythonDir, "bin"), { recursive: true });
    cpSync(found.binary, path.join(pythonDir, "bin", `python${found.version}`));
    symlinkSync(`python${found.version}`, path.join(pythonDir, "bin", "python3"));
    cpSync(found.stdlib, path.join(pythonDir, "lib", `python${found.version}`), {
      recursive: true,
      verbatimSymlinks: true,
      // sitecustomize.py links to Debian's crash-reporter hook in /etc, outside the runtime.
      filter: (source) => !["__pycache__", "sitecustomize.py"].includes(path.basename(source)),
    });
    // Debian marks its interpreter as managed by apt; python-build-standalone's is not.
    rmSync(path.join(pythonDir, "lib", `python${found.version}`, "EXTERNALLY-MANAGED"), { force: true });

    const python = path.join(pythonDir, "bin", "python3");
    const isolated = { env: { PATH: "/usr/bin:/bin" }, encoding: "utf8" as const };
    const purelib = spawnSync(python, ["-I", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], isolated);
    check(purelib, "Asking the copied interpreter for its site folder");
    const siteDir = purelib.stdout.trim();
    mkdirSync(siteDir, { recursive: true });
    check(spawnSync(python, ["-I", "-m", "zipfile", "-e", found.pipWheel, siteDir], isolated), "Unpacking pip into the copied interpreter");
    check(
      spawnSync(python, ["-c", "import sqlite3, ssl, zoneinfo, pip"], isolated),
      "Importing sqlite3, ssl and pip from the copied interpreter",
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
