/**
 * Which files of the Django project a bundle carries. One set of rules for the
 * stage, which copies the project into the bundle, and for
 * `npm run check -- --staged`, which fails on a bundle that carries what the
 * rules leave out.
 *
 * - Local data never ships, tracked by git or not: the developer's secrets
 *   (.env files, secrets.json, credentials.json, local_settings.py, .netrc,
 *   private keys and certificates), databases and their dumps and backups, and
 *   uploads (a media/, mediafiles/ or uploads/ folder at the project's top
 *   that is no Python package).
 * - In a git checkout the project ships what git tracks, plus the files the
 *   project's own build writes; everything else, untracked or ignored, stays on
 *   the developer's machine, and the stage lists it.
 * - Outside git the list above is all that keeps a file out, and the stage says so.
 */
import { spawnSync } from "node:child_process";
import { cpSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";

// #region local-data
/** File names that are the developer's secrets or data (matched without regard to case). */
const LOCAL_DATA_NAME = new RegExp(
  [
    /^\.env(rc)?$|^\.env\.|\.env$/.source, // .env, .envrc, .env.production, production.env
    /\.(sqlite3?|db)(-wal|-shm|-journal)?$/.source, // SQLite databases and their side files
    /\.(sql|bak)$|\.sql\.(gz|bz2|xz|zip)$/.source, // dumps and backups: dump.sql, db.sqlite3.bak
    /^(secrets|credentials)\.json$|^local_settings\.py$|^[._]netrc$|^\.pgpass$/.source,
    /^id_(rsa|dsa|ecdsa|ed25519)$|\.(pem|key|p12|pfx)$/.source, // private keys and certificates
  ].join("|"),
  "i",
);
/** Upload folders at the project's top. */
const UPLOAD_FOLDERS = new Set(["media", "mediafiles", "uploads"]);
// #endregion local-data

/** What the rules leave out, in words, for the stage's output and the docs. */
export const LOCAL_DATA_DESCRIPTION =
  ".env files, secrets.json, credentials.json, local_settings.py, .netrc, private keys (id_rsa, *.pem, *.key), databases, *.sql dumps, *.bak backups and the media/ uploads folder";

/**
 * Whether a path of the project (relative, with /) is the developer's secrets
 * or data. `isFile` tells whether a path exists as a file: an upload folder
 * holding __init__.py is a Python package, and ships.
 */
export function isLocalData(relative: string, isFile: (relative: string) => boolean): boolean {
  const parts = relative.split("/");
  if (parts.length === 1 && UPLOAD_FOLDERS.has(parts[0]!.toLowerCase()) && !isFile(`${relative}/__init__.py`)) return true;
  return LOCAL_DATA_NAME.test(parts[parts.length - 1]!);
}

/**
 * The local data among a project's entries (relative paths with /, folders
 * included): the topmost path of each, so an uploads folder is named once.
 */
export function localDataAmong(entries: string[]): string[] {
  const all = new Set(entries);
  const found: string[] = [];
  for (const relative of [...entries].sort()) {
    if (found.some((folder) => relative.startsWith(`${folder}/`))) continue;
    if (isLocalData(relative, (file) => all.has(file))) found.push(relative);
  }
  return found;
}

/** The files git tracks under `dir` (relative, with /; submodules' files too), or undefined when git is missing or tracks none there. */
export function gitTrackedFiles(dir: string): Set<string> | undefined {
  const result = spawnSync("git", ["-C", dir, "ls-files", "-z", "--cached", "--recurse-submodules"], { encoding: "utf8", windowsHide: true, maxBuffer: 64 * 1024 * 1024 });
  if (result.error || result.status !== 0) return undefined;
  const files = result.stdout.split("\0").filter(Boolean);
  // None: no checkout, an enclosing checkout that ignores the whole project, or a fresh `git init`.
  return files.length ? new Set(files) : undefined;
}

/** "not needed": the shell's choice (virtualenvs, caches, tests); "local": local data; "untracked": in a git checkout, what git does not track. */
export type LeftOutReason = "not needed" | "local" | "untracked";

export interface ProjectFileRules {
  /** Whether git decides what ships (the project is a git checkout that tracks files in it). */
  git: boolean;
  /** Why a path of the project (relative, with /) stays out of the bundle, or undefined when it ships. */
  reason(relative: string): LeftOutReason | undefined;
}

export interface ProjectFileOptions {
  /** Paths the shell never ships, whatever git says: virtualenvs, caches, tests, the shell itself. */
  notNeeded: (relative: string) => boolean;
  /** Files the project's build wrote (relative, with /): they ship although git does not track them. */
  built?: Iterable<string>;
}

export function projectFileRules(djangoDir: string, options: ProjectFileOptions): ProjectFileRules {
  const tracked = gitTrackedFiles(djangoDir);
  const ships = new Set<string>();
  if (tracked) {
    for (const file of [...tracked, ...(options.built ?? [])]) {
      const parts = file.split("/");
      for (let depth = 1; depth <= parts.length; depth++) ships.add(parts.slice(0, depth).join("/"));
    }
  }
  const isFile = (relative: string) => {
    try {
      return lstatSync(path.join(djangoDir, relative)).isFile();
    } catch {
      return false;
    }
  };
  return {
    git: tracked !== undefined,
    reason(relative) {
      if (options.notNeeded(relative)) return "not needed";
      if (isLocalData(relative, isFile)) return "local";
      if (tracked && !ships.has(relative)) return "untracked";
      return undefined;
    },
  };
}

export interface LeftOut {
  git: boolean;
  /** Local data left out (folders end in /). */
  local: string[];
  /** In a git checkout: what git does not track (folders end in /). */
  untracked: string[];
}

/** Copies what the rules ship from `djangoDir` to `destination`; returns what was left out, topmost paths only. */
export function copyProjectFiles(djangoDir: string, destination: string, rules: ProjectFileRules): LeftOut {
  const leftOut: LeftOut = { git: rules.git, local: [], untracked: [] };
  const ships = (file: string) => {
    const relative = path.relative(djangoDir, file).split(path.sep).join("/");
    const reason = rules.reason(relative);
    const shown = lstatSync(file).isDirectory() ? `${relative}/` : relative;
    if (reason === "local") leftOut.local.push(shown);
    if (reason === "untracked") leftOut.untracked.push(shown);
    return reason === undefined;
  };
  mkdirSync(destination, { recursive: true });
  // Entry by entry: the stage folder may sit inside the project (a wrapped project's
  // desktop/.stage), and copying a folder into itself is refused even when filtered out.
  for (const name of readdirSync(djangoDir)) {
    const source = path.join(djangoDir, name);
    if (ships(source)) cpSync(source, path.join(destination, name), { recursive: true, filter: (file) => file === source || ships(file) });
  }
  leftOut.local.sort();
  leftOut.untracked.sort();
  return leftOut;
}

/** The stage's lines about what it left out and why. */
export function describeLeftOut(leftOut: LeftOut): string[] {
  const lines = [
    leftOut.git
      ? "The project is a git checkout: the bundle carries what git tracks (and what the project's build writes), without local data."
      : `The project is no git checkout: every file ships except virtualenvs, caches, tests and local data (${LOCAL_DATA_DESCRIPTION}).`,
  ];
  if (leftOut.local.length) lines.push(`Left out of the bundle as secrets or local data: ${leftOut.local.join(", ")}`);
  if (leftOut.untracked.length) lines.push(`Left out of the bundle as not tracked by git (\`git add\` what the app needs at run time): ${leftOut.untracked.join(", ")}`);
  return lines;
}
