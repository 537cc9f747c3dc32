/**
 * SHA-256 checksums for a release folder, in the format `sha256sum` writes and
 * checks: one `<64 hex digits>  <file name>` line per file.
 *
 * A release publishes `SHA256SUMS` next to its installers. Whoever installs by
 * hand (a download, a USB stick into an air-gapped site) checks the installer
 * against that list before running it: `npm run release:verify`, or
 * `sha256sum -c SHA256SUMS` where coreutils is installed.
 */
import { createHash } from "node:crypto";
import { createReadStream, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";

export const CHECKSUMS_FILE = "SHA256SUMS";
/** What electron-builder writes into its output folder about the build itself: not release files. */
const BUILD_LOGS = new Set(["builder-debug.yml", "builder-effective-config.yaml"]);

export interface ChecksumEntry {
  sha256: string;
  fileName: string;
}

/** A problem the person installing must act on; the message says what to do. */
export class ChecksumError extends Error {
  override name = "ChecksumError";
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash);
  return hash.digest("hex");
}

/** The `SHA256SUMS` text for a list of entries, sorted by file name. */
export function formatChecksums(entries: ChecksumEntry[]): string {
  return [...entries]
    .sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0))
    .map((entry) => `${entry.sha256}  ${entry.fileName}\n`)
    .join("");
}

/**
 * Checksums every file directly in `folder` (not in subfolders, such as
 * electron-builder's `*-unpacked` folders, nor its build logs) and writes
 * `folder/SHA256SUMS`.
 */
export async function writeChecksums(folder: string): Promise<ChecksumEntry[]> {
  let names: string[];
  try {
    names = readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name !== CHECKSUMS_FILE && !BUILD_LOGS.has(entry.name))
      .map((entry) => entry.name);
  } catch {
    throw new ChecksumError(`Cannot read the release folder ${folder}: pass the folder that holds the installers.`);
  }
  if (names.length === 0) throw new ChecksumError(`${folder} holds no files to checksum: pass the folder that holds the installers.`);
  const entries: ChecksumEntry[] = [];
  for (const fileName of names) entries.push({ fileName, sha256: await sha256File(path.join(folder, fileName)) });
  writeFileSync(path.join(folder, CHECKSUMS_FILE), formatChecksums(entries));
  return entries;
}

// sha256sum writes two spaces (text mode) or a space and an asterisk (binary mode).
const LINE = /^([0-9a-fA-F]{64}) [ *](.+)$/;

/** Reads a `SHA256SUMS` list; any line that is not `<hex>  <name>` makes the whole list untrustworthy. */
export function parseChecksums(text: string, source = CHECKSUMS_FILE): ChecksumEntry[] {
  const entries = new Map<string, ChecksumEntry>();
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    const match = LINE.exec(line);
    if (!match) {
      throw new ChecksumError(
        `${source} is malformed at line ${index + 1} (expected "<64 hex digits>  <file name>"): ` +
          "get an intact copy of the release's checksum list before installing anything.",
      );
    }
    const entry = { sha256: match[1]!.toLowerCase(), fileName: match[2]! };
    const earlier = entries.get(entry.fileName);
    if (earlier && earlier.sha256 !== entry.sha256) {
      throw new ChecksumError(`${source} lists ${entry.fileName} twice with different checksums: get an intact copy of the release's checksum list.`);
    }
    entries.set(entry.fileName, entry);
  }
  if (entries.size === 0) throw new ChecksumError(`${source} lists no files: get the release's complete checksum list.`);
  return [...entries.values()];
}

/** Checks one artifact against a checksum list; resolves with its entry, rejects with what to do. */
export async function verifyFile(file: string, checksumsFile: string): Promise<ChecksumEntry> {
  let text: string;
  try {
    text = readFileSync(checksumsFile, "utf8");
  } catch {
    throw new ChecksumError(`Cannot read ${checksumsFile}: copy the release's ${CHECKSUMS_FILE} next to the installer and pass its path.`);
  }
  const entries = parseChecksums(text, path.basename(checksumsFile));
  const fileName = path.basename(file);
  const expected = entries.find((entry) => entry.fileName === fileName);
  if (!expected) {
    throw new ChecksumError(
      `${fileName} is not listed in ${checksumsFile}: do not install it; use the ${CHECKSUMS_FILE} published with this release and the file's original name.`,
    );
  }
  let actual: string;
  try {
    actual = await sha256File(file);
  } catch {
    throw new ChecksumError(`Cannot read ${file}: pass the path of the downloaded or transferred installer.`);
  }
  if (actual !== expected.sha256) {
    throw new ChecksumError(
      `${fileName} does not match ${path.basename(checksumsFile)} (expected ${expected.sha256}, got ${actual}): ` +
        "do not install it; download or transfer it again and verify once more.",
    );
  }
  return expected;
}
