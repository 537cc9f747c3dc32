/**
 * Data safety across app versions: before a new version of the app lets
 * Django migrate the user's database for the first time, copy the database
 * into `<app data>/backups/`, named after the version that last ran. If a
 * migration then fails, put that copy back, so the user is never left with a
 * half-migrated database, and say where the backup is.
 *
 * The backup is taken once per upgrade: a record of it (`pending-upgrade.json`)
 * is written before Django first starts and removed once the new version has
 * started. A start that dies halfway through the migrations (killed, power
 * lost) leaves the record, so the next attempt restores the true pre-update
 * copy rather than backing up the half-migrated database again.
 *
 * The copies use SQLite's online backup API through the same Python that runs
 * Django (Node 20 has no SQLite module). Unlike copying files, it gives one
 * self-contained, consistent database file even when the database is in WAL
 * mode and part of its data still sits in `app.sqlite3-wal`.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { BackendStartError, EXIT_MIGRATION_FAILED, type Backend } from "./backend";
import { ensureWritableFolder } from "./logFile";

export const DATABASE_FILE = "app.sqlite3";
export const BACKUPS_FOLDER = "backups";
/** Which app version last started Django on this app-data folder. */
export const VERSION_FILE = "last-version.json";
/** The upgrade under way: which version it started from and its backup, until the new version has started once. */
export const PENDING_UPGRADE_FILE = "pending-upgrade.json";
export const KEEP_BACKUPS = 5;
const MIGRATION_FAILED_PREFIX = "desktop_serve: migration failed: ";
const BACKUP_NAME = /^app-(.+)-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z)\.sqlite3$/;

/** Copies one SQLite database onto another (new or existing) inside SQLite, so the result is always whole. */
const SQLITE_COPY = `
import sqlite3, sys
source = sqlite3.connect(sys.argv[1])
target = sqlite3.connect(sys.argv[2])
source.backup(target)
target.close()
source.close()
`;

export interface UpgradeBackup {
  /** The version that wrote the database, or "unknown" for a database from before versions were recorded. */
  previousVersion: string;
  currentVersion: string;
  /** The database that was backed up: `<app data>/app.sqlite3`. */
  database: string;
  /** The backup file in `<app data>/backups/`. */
  file: string;
}

export interface BackupOptions {
  appDataDir: string;
  /** The version starting now: `app.getVersion()`. */
  currentVersion: string;
  /** The Python that runs Django; its sqlite3 module makes the copy. */
  python: string;
  keep?: number;
}

export function lastRunVersion(appDataDir: string): string | undefined {
  try {
    const recorded = JSON.parse(readFileSync(path.join(appDataDir, VERSION_FILE), "utf8")) as { version?: unknown };
    return typeof recorded.version === "string" ? recorded.version : undefined;
  } catch {
    return undefined;
  }
}

/** Writes JSON so that a crash leaves either the old file or the new one, never half of one. */
function writeJsonAtomically(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** Records that `version` started Django successfully (its migrations, if any, are done): the upgrade is over. */
export function recordRunVersion(appDataDir: string, version: string, now = new Date()): void {
  writeJsonAtomically(path.join(appDataDir, VERSION_FILE), { version, ranAt: now.toISOString() });
  rmSync(path.join(appDataDir, PENDING_UPGRADE_FILE), { force: true });
}

/** The backup of an upgrade that has not finished yet, if its file is still there. */
export function pendingUpgrade(appDataDir: string): UpgradeBackup | undefined {
  try {
    const pending = JSON.parse(readFileSync(path.join(appDataDir, PENDING_UPGRADE_FILE), "utf8")) as Partial<UpgradeBackup>;
    const { previousVersion, currentVersion, database, file } = pending;
    if ([previousVersion, currentVersion, database, file].some((value) => typeof value !== "string") || !existsSync(file!)) return undefined;
    return { previousVersion: previousVersion!, currentVersion: currentVersion!, database: database!, file: file! };
  } catch {
    return undefined;
  }
}

/**
 * Backs up the database when the version starting now is not the one that
 * last ran on it, and records the backup as the pending upgrade's. Resolves
 * with the backup, or undefined when there is nothing to protect: no database
 * yet, or the same version as last time. While an earlier attempt's upgrade
 * is pending, its backup is the one to restore: it is returned, and no new
 * copy is taken of a database that may be half-migrated.
 */
export async function backupBeforeMigrations(options: BackupOptions, now = new Date()): Promise<UpgradeBackup | undefined> {
  const database = path.join(options.appDataDir, DATABASE_FILE);
  if (!existsSync(database)) return undefined;
  const previousVersion = lastRunVersion(options.appDataDir) ?? "unknown";
  if (previousVersion === options.currentVersion) return undefined;
  const pending = pendingUpgrade(options.appDataDir);
  if (pending) return { ...pending, currentVersion: options.currentVersion };

  const folder = path.join(options.appDataDir, BACKUPS_FOLDER);
  ensureWritableFolder(folder);
  const stamp = now.toISOString().replace(/:/g, "-");
  const file = path.join(folder, `app-${previousVersion.replace(/[^\w.+-]/g, "_")}-${stamp}.sqlite3`);
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  try {
    await copyDatabase(options.python, database, partial);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new Error(
      `Could not back up ${database} before updating it to version ${options.currentVersion}, so Django was not started. ` +
        `Check that the disk is not full and the folder is writable, then start the app again. (${(error as Error).message})`,
    );
  }
  renameSync(partial, file);
  pruneBackups(folder, options.keep ?? KEEP_BACKUPS);
  const backup = { previousVersion, currentVersion: options.currentVersion, database, file };
  writeJsonAtomically(path.join(options.appDataDir, PENDING_UPGRADE_FILE), backup);
  return backup;
}

/** One line for the terminal or the log: what was backed up, where to, and why. */
export function describeBackup(backup: UpgradeBackup): string {
  return `Backed up ${backup.database} (last run by version ${backup.previousVersion}) to ${backup.file} before version ${backup.currentVersion} migrates it.`;
}

/** Puts a backup back over the database. Only while Django is stopped. */
export async function restoreBackup(backup: UpgradeBackup, python: string): Promise<void> {
  await copyDatabase(python, backup.file, backup.database);
}

/** Deletes all but the newest `keep` backups this module made; other files in the folder stay. */
export function pruneBackups(folder: string, keep: number): void {
  const backups = readdirSync(folder)
    .map((name) => ({ name, stamp: BACKUP_NAME.exec(name)?.[2] }))
    .filter((entry): entry is { name: string; stamp: string } => entry.stamp !== undefined)
    .sort((a, b) => (a.stamp < b.stamp ? 1 : a.stamp > b.stamp ? -1 : 0));
  for (const old of backups.slice(keep)) rmSync(path.join(folder, old.name), { force: true });
}

function copyDatabase(python: string, from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // -I: the user's PYTHONHOME, PYTHONPATH or site-packages must not reach the interpreter that copies the database.
    const child = spawn(python, ["-I", "-c", SQLITE_COPY, from, to], { stdio: ["ignore", "ignore", "pipe"], windowsHide: true });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code === 0) resolve();
      else reject(new Error(stderr.trim().split("\n").pop() || `${python} exited with code ${code}`));
    });
  });
}

/**
 * The reason desktop_serve gave for a failed migration, or undefined when it
 * stopped for another reason. Its message counts even if the process then
 * died another way: the database may be half-migrated all the same.
 */
export function migrationFailureReason(exitCode: number | null, lines: string[]): string | undefined {
  const line = [...lines].reverse().find((candidate) => candidate.startsWith(MIGRATION_FAILED_PREFIX));
  if (line) return line.slice(MIGRATION_FAILED_PREFIX.length);
  return exitCode === EXIT_MIGRATION_FAILED ? "desktop_serve did not say why (see the log)" : undefined;
}

/**
 * A migration failed and the app must not start. A BackendStartError, so the
 * startup dialog shows it with Django's last lines; its message says whether
 * the database was put back and where the backup is.
 */
export class MigrationFailedError extends BackendStartError {
  override name = "MigrationFailedError";
  constructor(
    readonly reason: string,
    readonly backup: UpgradeBackup | undefined,
    /** Undefined when the database was restored from the backup (or there was none to restore). */
    readonly restoreError: Error | undefined,
    backend: Backend,
  ) {
    super(describeMigrationFailure(reason, backup, restoreError), backend);
  }
}

function describeMigrationFailure(reason: string, backup: UpgradeBackup | undefined, restoreError: Error | undefined): string {
  if (!backup) {
    return `Migrating the database failed (${reason}). No backup was taken: the database was new, or this version of the app had already used it.`;
  }
  if (restoreError) {
    return (
      `Updating the database to version ${backup.currentVersion} failed (${reason}), and putting the backup back failed too ` +
      `(${restoreError.message}). Your data from version ${backup.previousVersion} is safe in ${backup.file}: with the app closed, ` +
      `delete ${backup.database}-wal and ${backup.database}-shm, copy the backup over ${backup.database}, and reinstall version ${backup.previousVersion}.`
    );
  }
  return (
    `Updating the database to version ${backup.currentVersion} failed (${reason}). Your data is intact: the copy taken before ` +
    `the update, ${backup.file}, was put back. Reinstall version ${backup.previousVersion} to keep working, and send the log to ` +
    "whoever provides the app."
  );
}

export interface GuardedStartOptions extends BackupOptions {
  /** Starts Django and resolves once it serves (desktop_serve migrates before it serves). */
  start: () => Promise<Backend>;
}

/**
 * The start sequence for a new version: back up, start Django (which
 * migrates), and record the version once Django serves. On a failed migration,
 * restores the backup and rejects with MigrationFailedError.
 */
export async function startBackendWithBackup(options: GuardedStartOptions): Promise<{ backend: Backend; backup?: UpgradeBackup }> {
  const backup = await backupBeforeMigrations(options);
  let backend: Backend;
  try {
    backend = await options.start();
  } catch (error) {
    if (!(error instanceof BackendStartError)) throw error;
    const reason = migrationFailureReason(await error.backend.exited, error.backend.recentLines());
    if (reason === undefined) throw error;
    let restoreError: Error | undefined;
    if (backup) await restoreBackup(backup, options.python).catch((failed: Error) => (restoreError = failed));
    throw new MigrationFailedError(reason, backup, restoreError, error.backend);
  }
  recordRunVersion(options.appDataDir, options.currentVersion);
  return backup ? { backend, backup } : { backend };
}
