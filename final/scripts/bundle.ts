/**
 * Facts about a bundle folder that the stage, the tests and the benchmark all
 * need: its size, and a digest of everything in it, so "nothing was written
 * inside the bundle at runtime" is a comparison of two strings.
 */
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
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

export interface BundlePart {
  part: string;
  what: string;
  bytes: number;
}

/** The standard library folder: the one holding os.py (python/Lib on Windows, python/lib/python3.X elsewhere). */
function stdlibDir(pythonDir: string): string | undefined {
  const candidates = [path.join(pythonDir, "Lib")];
  const lib = path.join(pythonDir, "lib");
  if (existsSync(lib)) candidates.push(...readdirSync(lib).filter((name) => /^python3\.\d+$/.test(name)).map((name) => path.join(lib, name)));
  return candidates.find((dir) => existsSync(path.join(dir, "os.py")));
}

/** Every site-packages (or Debian dist-packages) folder below `dir`. */
function sitePackagesDirs(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const full = path.join(dir, entry.name);
    if (/^(site|dist)-packages$/.test(entry.name)) found.push(full);
    else sitePackagesDirs(full, found);
  }
  return found;
}

/**
 * The bundle's size split into the parts a reader can act on: the interpreter,
 * its standard library, Django, the other installed packages, the project's
 * code and its collected static files. Read from the folder layout alone, so
 * the benchmark can describe any staged bundle.
 */
export function bundleSizeByPart(bundleDir: string): BundlePart[] {
  const pythonDir = path.join(bundleDir, "python");
  const stdlib = existsSync(pythonDir) ? stdlibDir(pythonDir) : undefined;
  const sitePackages = existsSync(pythonDir) ? sitePackagesDirs(pythonDir) : [];
  // A folder's total, or a file's own size: site-packages also holds single-module packages (typing_extensions.py).
  const sizeOf = (entry: string | undefined) => (entry && existsSync(entry) ? (lstatSync(entry).isDirectory() ? directorySize(entry) : lstatSync(entry).size) : 0);
  let django = 0;
  let packages = 0;
  for (const dir of sitePackages) {
    for (const name of readdirSync(dir)) {
      const bytes = sizeOf(path.join(dir, name));
      if (/^django$|^django-[^/]*\.dist-info$/i.test(name)) django += bytes;
      else packages += bytes;
    }
  }
  const insideStdlib = sitePackages.filter((dir) => stdlib && dir.startsWith(stdlib + path.sep)).reduce((total, dir) => total + sizeOf(dir), 0);
  const stdlibBytes = sizeOf(stdlib) - insideStdlib;
  const runtime = sizeOf(pythonDir) - stdlibBytes - django - packages;
  const manifest = path.join(bundleDir, "manifest.json");
  return [
    { part: "runtime", what: "python/ outside the standard library and site-packages: the interpreter and its shared libraries", bytes: runtime },
    { part: "stdlib", what: "Python's standard library and its compiled extensions (lib-dynload)", bytes: stdlibBytes },
    { part: "Django", what: "the django package and its metadata", bytes: django },
    { part: "other packages", what: "everything else the requirements file installed", bytes: packages },
    { part: "project", what: "django/ (the project's code) and manifest.json", bytes: sizeOf(path.join(bundleDir, "django")) + (existsSync(manifest) ? lstatSync(manifest).size : 0) },
    { part: "static", what: "collected static files", bytes: sizeOf(path.join(bundleDir, "static")) },
  ];
}

/** A small table of `parts`, with each part's share of the total. */
export function formatSizeTable(parts: BundlePart[]): string[] {
  const total = parts.reduce((sum, part) => sum + part.bytes, 0);
  const size = (bytes: number) => (bytes < 1e6 ? `${Math.round(bytes / 1e3)} kB` : formatMegabytes(bytes));
  const row = (part: string, bytes: number, what: string) =>
    `  ${part.padEnd(16)}${size(bytes).padStart(10)}${`${total ? Math.round((bytes / total) * 100) : 0} %`.padStart(7)}   ${what}`;
  return ["Bundle size by part:", ...parts.map((part) => row(part.part, part.bytes, part.what)), row("total", total, "")];
}

export interface InstalledPackage {
  name: string;
  version: string;
  bytes: number;
}

/** The paths a wheel's RECORD lists (first CSV column; quoted when it holds a comma). */
function recordPaths(record: string): string[] {
  return record
    .split(/\r?\n/)
    .filter(Boolean)
    .map((line) => (line.startsWith('"') ? line.slice(1, line.indexOf('"', 1)) : line.split(",")[0]!));
}

/**
 * The installed distributions of the bundle's site-packages, largest first,
 * as they are in the bundle (pruned, with compiled bytecode). A distribution
 * owns the top-level entries its RECORD lists; an entry two distributions
 * share (a namespace package) counts only the files each lists.
 */
export function largestPackages(bundleDir: string, count = 10): InstalledPackage[] {
  const pythonDir = path.join(bundleDir, "python");
  const packages: InstalledPackage[] = [];
  for (const dir of existsSync(pythonDir) ? sitePackagesDirs(pythonDir) : []) {
    const distributions = readdirSync(dir)
      .filter((name) => name.endsWith(".dist-info") && existsSync(path.join(dir, name, "RECORD")))
      .map((distInfo) => {
        const metadata = existsSync(path.join(dir, distInfo, "METADATA")) ? readFileSync(path.join(dir, distInfo, "METADATA"), "utf8") : "";
        const [fallbackName = distInfo, fallbackVersion = ""] = distInfo.replace(/\.dist-info$/, "").split("-");
        const files = recordPaths(readFileSync(path.join(dir, distInfo, "RECORD"), "utf8")).filter((file) => !file.startsWith("../") && !file.startsWith(`${distInfo}/`));
        return {
          distInfo,
          name: /^Name: (.+)$/m.exec(metadata)?.[1]?.trim() ?? fallbackName,
          version: /^Version: (.+)$/m.exec(metadata)?.[1]?.trim() ?? fallbackVersion,
          files,
          topLevel: new Set(files.map((file) => file.split("/")[0]!)),
        };
      });
    const owners = new Map<string, number>();
    for (const distribution of distributions) for (const entry of distribution.topLevel) owners.set(entry, (owners.get(entry) ?? 0) + 1);
    const sizeOf = (relative: string) => {
      const full = path.join(dir, relative);
      if (!existsSync(full)) return 0;
      const stat = lstatSync(full);
      return stat.isDirectory() ? directorySize(full) : stat.size;
    };
    for (const distribution of distributions) {
      let bytes = directorySize(path.join(dir, distribution.distInfo));
      for (const entry of distribution.topLevel) {
        if (owners.get(entry) === 1) bytes += sizeOf(entry);
        else bytes += distribution.files.filter((file) => file.split("/")[0] === entry).reduce((total, file) => total + sizeOf(file), 0);
      }
      packages.push({ name: distribution.name, version: distribution.version, bytes });
    }
  }
  return packages.sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name)).slice(0, count);
}

/** A short table of the largest installed packages. */
export function formatPackageTable(packages: InstalledPackage[]): string[] {
  if (!packages.length) return [];
  const size = (bytes: number) => (bytes < 1e6 ? `${Math.round(bytes / 1e3)} kB` : formatMegabytes(bytes));
  const width = Math.max(...packages.map((item) => `${item.name} ${item.version}`.length));
  return [`Largest installed packages (${packages.length}):`, ...packages.map((item) => `  ${`${item.name} ${item.version}`.padEnd(width)}  ${size(item.bytes).padStart(9)}`)];
}
