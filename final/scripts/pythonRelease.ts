/**
 * Which python-build-standalone runtime the app ships, and where it comes from.
 *
 * The release tag and Python version are pinned here and nowhere else: change
 * them together, stage again, and every platform picks up the new runtime.
 * Each release publishes a `SHA256SUMS` file next to its archives; the stage
 * verifies the downloaded archive against it.
 */

/** The pinned runtime: a release of https://github.com/astral-sh/python-build-standalone and the CPython it carries. */
export const PYTHON_RELEASE = {
  tag: "20260211",
  pythonVersion: "3.12.12",
  baseUrl: "https://github.com/astral-sh/python-build-standalone/releases/download",
};

export type PythonRelease = typeof PYTHON_RELEASE;

/**
 * The CPython versions the pinned release carries, by minor version: the ones
 * a project may choose with src/project.ts's `pythonVersion` (the wrap reads
 * it from requires-python, .python-version or runtime.txt). Each has the same
 * asset names and is checked against the same SHA256SUMS.
 */
export const PYTHON_VERSIONS: Record<string, string> = { "3.12": "3.12.12", "3.13": "3.13.12" };

/** The pinned release for a minor version ("3.13"); an Error that names the ones there are otherwise. */
export function releaseFor(minor: string, release: PythonRelease = PYTHON_RELEASE): PythonRelease {
  const pythonVersion = PYTHON_VERSIONS[minor];
  if (!pythonVersion) {
    throw new Error(
      `src/project.ts asks for Python ${minor}, and the pinned python-build-standalone release ${release.tag} is used here for ${Object.keys(PYTHON_VERSIONS).join(" and ")}. ` +
        "Set pythonVersion to one of those, or pin another release and its versions in scripts/pythonRelease.ts.",
    );
  }
  return { ...release, pythonVersion };
}

/** Node's `process.platform`/`process.arch` pairs we ship, and the target triple of their runtime. */
const TARGET_TRIPLES: Record<string, string> = {
  "darwin-arm64": "aarch64-apple-darwin",
  "darwin-x64": "x86_64-apple-darwin",
  "win32-x64": "x86_64-pc-windows-msvc",
  "linux-x64": "x86_64-unknown-linux-gnu",
  "linux-arm64": "aarch64-unknown-linux-gnu",
};

export const SUPPORTED_TARGETS = Object.keys(TARGET_TRIPLES);

export interface ReleaseAsset {
  /** The archive's file name, which is also its key in SHA256SUMS. */
  name: string;
  url: string;
  checksumsUrl: string;
  tag: string;
  pythonVersion: string;
}

export class UnsupportedPlatformError extends Error {}

export function targetTriple(platform: string, arch: string): string {
  const triple = TARGET_TRIPLES[`${platform}-${arch}`];
  if (!triple) {
    throw new UnsupportedPlatformError(
      `There is no python-build-standalone runtime mapped for ${platform}-${arch}. ` +
        `This starter ships ${SUPPORTED_TARGETS.join(", ")}.\n` +
        "To stage anyway, get an install_only archive for this machine and pass it with --python-archive <file>.",
    );
  }
  return triple;
}

/**
 * The "install_only_stripped" archive for a platform and arch: a relocatable
 * `python/` folder, pip included, laid out like "install_only" but with the
 * debug symbols taken out of the interpreter and its extension modules. Nobody
 * debugs the shipped runtime with gdb, and on Linux the symbols are most of
 * libpython's size.
 */
export function releaseAsset(platform: string, arch: string, release: PythonRelease = PYTHON_RELEASE): ReleaseAsset {
  const name = `cpython-${release.pythonVersion}+${release.tag}-${targetTriple(platform, arch)}-install_only_stripped.tar.gz`;
  return {
    name,
    url: `${release.baseUrl}/${release.tag}/${encodeURIComponent(name)}`,
    checksumsUrl: `${release.baseUrl}/${release.tag}/SHA256SUMS`,
    tag: release.tag,
    pythonVersion: release.pythonVersion,
  };
}

/** The expected SHA-256 of `name` in a `SHA256SUMS` file (`<hex>  <name>` per line), or undefined. */
export function checksumFor(checksums: string, name: string): string | undefined {
  for (const line of checksums.split(/\r?\n/)) {
    const match = /^([0-9a-fA-F]{64})\s+\*?(.+?)\s*$/.exec(line);
    if (match && match[2] === name) return match[1]!.toLowerCase();
  }
  return undefined;
}
