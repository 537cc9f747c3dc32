/**
 * Gets the Python runtime archive the stage unpacks, checksum-verified:
 * downloaded once into a cache, or taken from a local file for offline and
 * air-gapped builds.
 *
 * A cached archive keeps its verified checksum beside it (`<name>.sha256`), so
 * a second stage checks the file on disk and needs no network at all.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { t as listTar, type ReadEntry } from "tar";
import { isCompiledBinary, libraryPaths, notRelocatable } from "./libraryPaths";
import { checksumFor, type ReleaseAsset } from "./pythonRelease";

export class ChecksumMismatchError extends Error {}

/** An archive that cannot become a relocatable runtime, with what to do about it. */
export class UnusableArchiveError extends Error {}

/** PEP 668's marker, in the standard library folder of an install_only archive (python/lib/python3.X, or python/Lib on Windows). */
const EXTERNALLY_MANAGED = /^(\.\/)?python\/(lib\/python3\.\d+|Lib)\/EXTERNALLY-MANAGED$/;

function linksOutside(entries: Array<{ path: string; type: string; linkpath?: string }>): string[] {
  const outside: string[] = [];
  for (const entry of entries) {
    if (entry.type !== "SymbolicLink" && entry.type !== "Link") continue;
    const target = entry.linkpath ?? "";
    // A symlink resolves from its own folder, a hard link from the archive's root.
    const resolved = entry.type === "SymbolicLink" ? path.posix.join(path.posix.dirname(entry.path), target) : path.posix.normalize(target);
    if (path.posix.isAbsolute(target) || path.win32.isAbsolute(target) || resolved === ".." || resolved.startsWith("../")) outside.push(`${entry.path} -> ${target}`);
  }
  return outside;
}

/**
 * Refuses, before anything is unpacked, an archive that cannot become a
 * relocatable runtime:
 * - links to an absolute path or out of the archive: unpacked on a user's
 *   machine they would point at that machine's files, or at nothing (tar
 *   itself only says "stripping / from absolute linkpath");
 * - a program or library that loads libraries from absolute folders of the
 *   machine that built it (an ELF RUNPATH, a Mach-O rpath or install name,
 *   libraryPaths.ts), as pyenv's builds do: it starts there and nowhere else;
 * - an EXTERNALLY-MANAGED marker: the Python belongs to a system package
 *   manager, and pip would refuse to install into it with PEP 668's text.
 */
export async function checkRuntimeArchive(file: string): Promise<void> {
  const entries: Array<{ path: string; type: string; linkpath?: string }> = [];
  const tiedToBuildMachine: string[] = [];
  const name = path.basename(file);
  const readEntry = (entry: ReadEntry) => {
    entries.push({ path: entry.path, type: entry.type, linkpath: entry.linkpath });
    if (entry.type !== "File") return;
    // Only compiled programs and libraries are kept in memory, one at a time, to read their headers.
    const chunks: Buffer[] = [];
    let binary: boolean | undefined;
    entry.on("data", (chunk: Buffer) => {
      binary ??= isCompiledBinary(chunk);
      if (binary) chunks.push(chunk);
    });
    entry.on("end", () => {
      const found = binary ? notRelocatable(libraryPaths(Buffer.concat(chunks))) : [];
      for (const problem of found) tiedToBuildMachine.push(`${entry.path}: ${problem}`);
    });
  };
  try {
    // One pipeline, as for unpacking: given the file itself, tar never settles on some corrupt gzip streams.
    await pipeline(createReadStream(file), createGunzip(), listTar({ strict: true, onReadEntry: readEntry }));
  } catch (error) {
    throw new UnusableArchiveError(
      `The runtime archive ${name} cannot be read as a .tar.gz (${(error as Error).message}): it is damaged or not an install_only archive. ` +
        "Copy or download it again, and pass its SHA-256 with --python-sha256 to have it verified.",
    );
  }
  const outside = linksOutside(entries);
  if (outside.length > 0) {
    const shown = outside.slice(0, 5).map((link) => `  ${link}`).join("\n");
    throw new UnusableArchiveError(
      `The runtime archive ${name} has ${outside.length === 1 ? "a link" : `${outside.length} links`} pointing outside itself:\n${shown}${outside.length > 5 ? `\n  ... and ${outside.length - 5} more` : ""}\n` +
        "A bundled runtime must not depend on files of the machine that built it. Use a python-build-standalone install_only archive, " +
        "or rebuild yours without those links (copy the files they point at, or leave them out).",
    );
  }
  if (tiedToBuildMachine.length > 0) {
    const shown = tiedToBuildMachine.slice(0, 5).map((problem) => `  ${problem}`).join("\n");
    throw new UnusableArchiveError(
      `The runtime archive ${name} is not relocatable: ${tiedToBuildMachine.length === 1 ? "a binary loads" : `${tiedToBuildMachine.length} binaries load`} libraries from folders of the machine that built it:\n` +
        `${shown}${tiedToBuildMachine.length > 5 ? `\n  ... and ${tiedToBuildMachine.length - 5} more` : ""}\n` +
        "On a user's machine those folders are missing or hold other files, so the bundled Python would not start there, or would load the wrong libraries. " +
        "Use a python-build-standalone install_only archive. To stage offline from this machine's pyenv Python, let the stage build the archive: " +
        `${stageCommand(LOCAL_PYTHON_OPTION)} (it rewrites those paths). For an archive you build yourself, make them relative to the binary: ` +
        "$ORIGIN on Linux (patchelf --set-rpath), @loader_path or @rpath on macOS (install_name_tool).",
    );
  }
  const marker = entries.find((entry) => EXTERNALLY_MANAGED.test(entry.path));
  if (marker) {
    throw new UnusableArchiveError(
      `The runtime archive ${name} holds ${marker.path}: its Python is marked as managed by a system package manager (PEP 668), ` +
        "so pip would refuse to install the project's dependencies into it.\n" +
        "Use a python-build-standalone install_only archive, or, for an archive you build yourself from a system Python, leave that file out of it.",
    );
  }
}

export interface RuntimeArchive {
  file: string;
  sha256: string;
  /** Where it came from, for the manifest: the release asset, or the local file's name. */
  source: { kind: "python-build-standalone"; tag: string; asset: string } | { kind: "local archive"; name: string };
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash);
  return hash.digest("hex");
}

function mismatch(file: string, expected: string, actual: string, advice: string): ChecksumMismatchError {
  return new ChecksumMismatchError(
    `Checksum mismatch for ${path.basename(file)}: expected SHA-256 ${expected}, got ${actual}.\n` +
      `The archive is corrupt or not the one you meant to ship, so nothing was staged. ${advice}`,
  );
}

/**
 * A local archive (`--python-archive`), verified when a checksum is given.
 * On a mismatch the file is left alone: it is yours, not the cache's.
 */
export async function localRuntimeArchive(file: string, expectedSha256?: string): Promise<RuntimeArchive> {
  if (!existsSync(file)) {
    throw new Error(`The Python archive ${file} does not exist. Pass an install_only .tar.gz from python-build-standalone with --python-archive.`);
  }
  const sha256 = await sha256File(file);
  if (expectedSha256 && sha256 !== expectedSha256.trim().toLowerCase()) {
    throw mismatch(file, expectedSha256.trim().toLowerCase(), sha256, "Copy the archive again from a trusted source, or fix --python-sha256.");
  }
  return { file, sha256, source: { kind: "local archive", name: path.basename(file) } };
}

export type ProgressReporter = (received: number, total: number | undefined) => void;

/** Writes one self-updating progress line on a terminal, and a line per 10 % elsewhere (CI logs). */
export function progressLine(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  let lastTenth = -1;
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  return (received, total) => {
    const done = total !== undefined && received >= total;
    const text = total ? `${label}: ${mb(received)} / ${mb(total)} MB (${Math.floor((received / total) * 100)} %)` : `${label}: ${mb(received)} MB`;
    if (stream.isTTY) {
      stream.write(`\r${text}${done ? "\n" : ""}`);
      return;
    }
    const tenth = total ? Math.floor((received / total) * 10) : Math.floor(received / 10e6);
    if (tenth !== lastTenth || done) {
      lastTenth = tenth;
      stream.write(`${text}\n`);
    }
  };
}

/**
 * `npm run stage -- <args>` as the stage was run: with `-w <folder>` when npm ran it for a workspace
 * from another folder (npm sets INIT_CWD to where the command was typed, and runs the script in the
 * workspace). Called some other way, as it is typed in the shell's own folder.
 */
export function stageCommand(args: string): string {
  const typedIn = process.env.INIT_CWD;
  const workspace = typedIn && process.env.npm_lifecycle_event === "stage" ? path.relative(typedIn, process.cwd()).split(path.sep).join("/") : "";
  return `npm run stage${workspace ? ` -w ${workspace}` : ""} -- ${args}`;
}

/** The stage option that builds the runtime archive from this machine's Python (scripts/localRuntime.ts). */
export const LOCAL_PYTHON_OPTION = "--local-python";

/** Where to get the archive by other means: on a connected machine, or built from this machine's Python. */
function offlineAdvice(asset?: ReleaseAsset): string {
  const lines = ["Without network access, stage from a local archive instead: --python-archive <file> (or DDS_PYTHON_ARCHIVE)."];
  if (asset) {
    lines.push(
      `On a connected machine, download ${asset.url} and ${asset.checksumsUrl}, then pass the checksum on the archive's line of SHA256SUMS as --python-sha256 <hex>.`,
      "For offline development and tests on Linux, the stage can build the archive from this machine's Python (pyenv's 3.12 or 3.13) instead; " +
        "such a bundle is not for shipping to users:",
      `  ${stageCommand(LOCAL_PYTHON_OPTION)}`,
    );
  }
  return lines.join("\n");
}

async function fetchOk(url: string, asset?: ReleaseAsset): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    // fetch reports "fetch failed"; the reason (DNS, refused, TLS...) is in its cause.
    const cause = (error as Error & { cause?: Error }).cause;
    throw new Error(`Could not download ${url}: ${cause?.message ?? (error as Error).message}.\n${offlineAdvice(asset)}`);
  }
  if (!response.ok || !response.body) {
    throw new Error(`Downloading ${url} failed with HTTP ${response.status}. Check the pinned release in scripts/pythonRelease.ts.`);
  }
  return response;
}

/** Streams `url` into `file`, reporting progress. */
export async function downloadFile(url: string, file: string, onProgress?: ProgressReporter): Promise<void> {
  const response = await fetchOk(url);
  const length = Number(response.headers.get("content-length"));
  const total = Number.isFinite(length) && length > 0 ? length : undefined;
  let received = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      onProgress?.(received, total);
      callback(null, chunk);
    },
  });
  await pipeline(Readable.fromWeb(response.body as import("node:stream/web").ReadableStream), counter, createWriteStream(file));
}

/**
 * The release archive from the cache, or downloaded into it and verified
 * against the release's SHA256SUMS. A mismatch deletes the download and throws.
 */
export async function cachedRuntimeArchive(
  asset: ReleaseAsset,
  cacheDir: string,
  log: (line: string) => void = console.log,
  onProgress: ProgressReporter = progressLine(`Downloading ${asset.name}`),
): Promise<RuntimeArchive> {
  const source = { kind: "python-build-standalone" as const, tag: asset.tag, asset: asset.name };
  const file = path.join(cacheDir, asset.name);
  const checksumFile = `${file}.sha256`;
  if (existsSync(file) && existsSync(checksumFile)) {
    const expected = readFileSync(checksumFile, "utf8").trim();
    const actual = await sha256File(file);
    if (actual === expected) {
      log(`Using the cached ${asset.name}`);
      return { file, sha256: actual, source };
    }
    log(`The cached ${asset.name} does not match its checksum any more; downloading it again.`);
    rmSync(file, { force: true });
  }

  mkdirSync(cacheDir, { recursive: true });
  const checksums = await (await fetchOk(asset.checksumsUrl, asset)).text();
  const expected = checksumFor(checksums, asset.name);
  if (!expected) {
    throw new Error(`${asset.checksumsUrl} lists no checksum for ${asset.name}. Check the pinned release in scripts/pythonRelease.ts.`);
  }
  const partial = `${file}.part`;
  try {
    await downloadFile(asset.url, partial, onProgress);
    const actual = await sha256File(partial);
    if (actual !== expected) throw mismatch(file, expected, actual, "The download was deleted; run the stage again to retry.");
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  renameSync(partial, file);
  writeFileSync(checksumFile, `${expected}\n`);
  return { file, sha256: expected, source };
}
