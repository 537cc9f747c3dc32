/**
 * Facts about a bundle folder that the stage, the tests and the benchmark all
 * need: its size, and a digest of everything in it, so "nothing was written
 * inside the bundle at runtime" is a comparison of two strings.
 */
import { createHash } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import path from "node:path";

/** Visits everything below `dir` in a fixed order; returning false from `visit` skips what is below a folder. */
function walk(dir: string, visit: (relative: string, absolute: string) => boolean | void, relative = ""): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const childRelative = relative ? `${relative}/${entry.name}` : entry.name;
    const childAbsolute = path.join(dir, entry.name);
    if (visit(childRelative, childAbsolute) === false) continue;
    if (entry.isDirectory()) walk(childAbsolute, visit, childRelative);
  }
}

/** Total bytes of the files (and symlinks) below `dir`. */
export function directorySize(dir: string): number {
  let bytes = 0;
  walk(dir, (_relative, absolute) => {
    const stat = lstatSync(absolute);
    if (!stat.isDirectory()) bytes += stat.size;
  });
  return bytes;
}

export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * SHA-256 over every folder, file (content and executable bit) and symlink
 * below `dir`, in a fixed order with forward-slash paths. Any file added,
 * removed or changed changes it. `skip` leaves out paths (and what is below them).
 */
export function bundleDigest(dir: string, skip: (relative: string) => boolean = () => false): string {
  const hash = createHash("sha256");
  walk(dir, (relative, absolute) => {
    if (skip(relative)) return false;
    const stat = lstatSync(absolute);
    if (stat.isSymbolicLink()) hash.update(`l ${relative} -> ${readlinkSync(absolute)}\n`);
    else if (stat.isDirectory()) hash.update(`d ${relative}\n`);
    else {
      const executable = process.platform !== "win32" && (stat.mode & 0o111) !== 0 ? "x" : "-";
      hash.update(`f ${relative} ${executable} ${createHash("sha256").update(readFileSync(absolute)).digest("hex")}\n`);
    }
  });
  return `sha256:${hash.digest("hex")}`;
}
