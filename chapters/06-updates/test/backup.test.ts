import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { BackendStartError, startBackendOnFreePort, type Backend } from "../src/backend";
import {
  backupBeforeMigrations,
  BACKUPS_FOLDER,
  DATABASE_FILE,
  describeBackup,
  lastRunVersion,
  migrationFailureReason,
  MigrationFailedError,
  PENDING_UPGRADE_FILE,
  recordRunVersion,
  startBackendWithBackup,
  VERSION_FILE,
} from "../src/backup";
import { devPaths } from "../src/paths";
import { describeStartupFailure } from "../src/startupError";
import { tempDir } from "./helpers";

const { python, djangoDir } = devPaths();

/** Runs Python code with the venv interpreter and returns its stdout. */
function runPython(code: string, ...args: string[]): string {
  const result = spawnSync(python, ["-c", code, ...args], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`Python failed: ${result.stderr}`);
  return result.stdout;
}

/** The whole database as SQL text: equal dumps mean equal schema and rows. */
function dump(database: string): string {
  return runPython("import sqlite3, sys; print('\\n'.join(sqlite3.connect(sys.argv[1]).iterdump()))", database);
}

function tables(database: string): string[] {
  return JSON.parse(
    runPython(
      "import json, sqlite3, sys; print(json.dumps([r[0] for r in sqlite3.connect(sys.argv[1]).execute(\"SELECT name FROM sqlite_master WHERE type='table' ORDER BY name\")]))",
      database,
    ),
  ) as string[];
}

function appliedMigrations(database: string, appLabel: string): string[] {
  return JSON.parse(
    runPython(
      "import json, sqlite3, sys; print(json.dumps([r[0] for r in sqlite3.connect(sys.argv[1]).execute('SELECT name FROM django_migrations WHERE app = ? ORDER BY id', (sys.argv[2],))]))",
      database,
      appLabel,
    ),
  ) as string[];
}

function backupsIn(appDataDir: string): string[] {
  const folder = path.join(appDataDir, BACKUPS_FOLDER);
  return existsSync(folder) ? readdirSync(folder).sort() : [];
}

describe("backupBeforeMigrations", () => {
  it("copies a WAL database whole, including rows that are still only in app.sqlite3-wal", async () => {
    const appDataDir = tempDir();
    const database = path.join(appDataDir, DATABASE_FILE);
    // os._exit skips the checkpoint a clean close would do, as a crash would.
    runPython(
      [
        "import os, sqlite3, sys",
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)",
        "db.execute('PRAGMA journal_mode=WAL')",
        "db.execute('PRAGMA wal_autocheckpoint=0')",
        "db.execute('CREATE TABLE pony (name TEXT)')",
        "db.execute(\"INSERT INTO pony VALUES ('Sparkle')\")",
        "os._exit(0)",
      ].join("\n"),
      database,
    );
    expect(existsSync(`${database}-wal`)).toBe(true);
    recordRunVersion(appDataDir, "1.0.0");

    const backup = await backupBeforeMigrations({ appDataDir, currentVersion: "1.1.0", python });

    expect(backup?.previousVersion).toBe("1.0.0");
    expect(path.dirname(backup!.file)).toBe(path.join(appDataDir, BACKUPS_FOLDER));
    expect(path.basename(backup!.file)).toMatch(/^app-1\.0\.0-.*\.sqlite3$/);
    expect(existsSync(`${backup!.file}-wal`)).toBe(false);
    expect(runPython("import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT name FROM pony').fetchall())", backup!.file)).toContain(
      "Sparkle",
    );
  });

  it("copies with an interpreter the user's PYTHONHOME and PYTHONPATH do not reach", async () => {
    const appDataDir = tempDir();
    runPython("import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('CREATE TABLE t (x)')", path.join(appDataDir, DATABASE_FILE));
    recordRunVersion(appDataDir, "1.0.0");
    const saved = { PYTHONHOME: process.env.PYTHONHOME, PYTHONPATH: process.env.PYTHONPATH };
    Object.assign(process.env, { PYTHONHOME: path.join(appDataDir, "nonexistent"), PYTHONPATH: path.join(appDataDir, "nonexistent") });
    try {
      const backup = await backupBeforeMigrations({ appDataDir, currentVersion: "1.1.0", python });
      expect(existsSync(backup!.file)).toBe(true);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it("does nothing without a database or when the same version ran last", async () => {
    const appDataDir = tempDir();
    expect(await backupBeforeMigrations({ appDataDir, currentVersion: "1.0.0", python })).toBeUndefined();
    runPython("import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('CREATE TABLE t (x)')", path.join(appDataDir, DATABASE_FILE));
    recordRunVersion(appDataDir, "1.0.0");
    expect(await backupBeforeMigrations({ appDataDir, currentVersion: "1.0.0", python })).toBeUndefined();
    expect(backupsIn(appDataDir)).toEqual([]);
  });

  it('names a database no version recorded "unknown", and keeps only the newest backups', async () => {
    const appDataDir = tempDir();
    runPython("import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('CREATE TABLE t (x)')", path.join(appDataDir, DATABASE_FILE));
    const first = await backupBeforeMigrations({ appDataDir, currentVersion: "1.0.0", python }, new Date("2026-01-01T00:00:00Z"));
    expect(path.basename(first!.file)).toBe("app-unknown-2026-01-01T00-00-00.000Z.sqlite3");
    writeFileSync(path.join(appDataDir, BACKUPS_FOLDER, "copied-by-hand.sqlite3"), "");

    for (let day = 2; day <= 7; day += 1) {
      recordRunVersion(appDataDir, `1.0.${day}`);
      await backupBeforeMigrations({ appDataDir, currentVersion: "2.0.0", python, keep: 3 }, new Date(`2026-01-0${day}T00:00:00Z`));
    }

    expect(backupsIn(appDataDir)).toEqual([
      "app-1.0.5-2026-01-05T00-00-00.000Z.sqlite3",
      "app-1.0.6-2026-01-06T00-00-00.000Z.sqlite3",
      "app-1.0.7-2026-01-07T00-00-00.000Z.sqlite3",
      "copied-by-hand.sqlite3",
    ]);
  });
});

describe("migrationFailureReason", () => {
  it("reads desktop_serve's reason, and knows exit code 11 without one", () => {
    const lines = ["Traceback (most recent call last):", "desktop_serve: migration failed: OperationalError: near \"NOT\": syntax error"];
    expect(migrationFailureReason(11, lines)).toBe('OperationalError: near "NOT": syntax error');
    expect(migrationFailureReason(11, [])).toMatch(/see the log/);
    expect(migrationFailureReason(null, lines)).toBe('OperationalError: near "NOT": syntax error');
    expect(migrationFailureReason(10, ["desktop_serve: port 8000 is already in use"])).toBeUndefined();
  });
});

describe("MigrationFailedError", () => {
  it("says how to restore by hand when putting the backup back failed too", () => {
    const backup = { previousVersion: "1.1.0", currentVersion: "1.2.0", database: "/data/app.sqlite3", file: "/data/backups/app-1.1.0-x.sqlite3" };
    const backend = { recentLines: () => [] } as unknown as Backend;
    const error = new MigrationFailedError("OperationalError: boom", backup, new Error("database disk image is malformed"), backend);
    expect(error.message).toBe(
      "Updating the database to version 1.2.0 failed (OperationalError: boom), and putting the backup back failed too " +
        "(database disk image is malformed). Your data from version 1.1.0 is safe in /data/backups/app-1.1.0-x.sqlite3: with the app closed, " +
        "delete /data/app.sqlite3-wal and /data/app.sqlite3-shm, copy the backup over /data/app.sqlite3, and reinstall version 1.1.0.",
    );
  });
});

/**
 * Two "versions" of the app are one temporary copy of django/ before and after
 * a migration file is added to it, started through the shell's own start code.
 */
function appVersions() {
  const versions = {
    copy: "",
    appDataDir: "",
    database: "",
    backend: undefined as Backend | undefined,
    startVersion,
    addMigration,
    async setUp() {
      versions.copy = path.join(tempDir(), "django");
      cpSync(djangoDir, versions.copy, { recursive: true, filter: (source) => !/[\\/](\.venv|\.dev-data|__pycache__)$/.test(source) });
      versions.appDataDir = tempDir();
      versions.database = path.join(versions.appDataDir, DATABASE_FILE);
      // Version 1.0.0 creates and seeds the database.
      const started = await startVersion("1.0.0");
      expect(started.backup).toBeUndefined();
      await started.backend.stop();
      expect(lastRunVersion(versions.appDataDir)).toBe("1.0.0");
    },
  };

  function startVersion(currentVersion: string) {
    return startBackendWithBackup({
      appDataDir: versions.appDataDir,
      currentVersion,
      python,
      start: () =>
        startBackendOnFreePort({
          python,
          managePy: path.join(versions.copy, "manage.py"),
          env: {
            DJANGO_SETTINGS_MODULE: "desktop_django_starter.settings.dev",
            DESKTOP_DJANGO_HOST: "127.0.0.1",
            DESKTOP_DJANGO_APP_DATA_DIR: versions.appDataDir,
          },
        }),
    });
  }

  /** Adds a migration to the copy's example_app after its newest one (or replaces it), running SQL or Python; returns its name. */
  function addMigration(name: string, sql: string, pythonCode?: string): string {
    const folder = path.join(versions.copy, "example_app", "migrations");
    const newest = readdirSync(folder)
      .filter((file) => /^\d{4}_\w+\.py$/.test(file) && file !== `${name}.py`)
      .sort()
      .pop()!
      .replace(/\.py$/, "");
    writeFileSync(
      path.join(folder, `${name}.py`),
      [
        "from django.db import migrations",
        "",
        "",
        "class Migration(migrations.Migration):",
        `    dependencies = [("example_app", "${newest}")]`,
        pythonCode === undefined
          ? `    operations = [migrations.RunSQL(${JSON.stringify(sql)})]`
          : `    operations = [migrations.RunPython(lambda apps, schema_editor: ${pythonCode})]`,
        "",
      ].join("\n"),
    );
    return name;
  }

  return versions;
}

describe("startBackendWithBackup with the real Django", () => {
  const versions = appVersions();
  const { startVersion, addMigration } = versions;
  let appDataDir: string;
  let database: string;
  let backend: Backend | undefined;

  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
  });

  beforeAll(async () => {
    await versions.setUp();
    ({ appDataDir, database } = versions);
  });

  it("backs up the 1.0.0 database before 1.1.0 migrates it", async () => {
    const before = dump(database);
    const migration = addMigration("9001_stable_notes", "CREATE TABLE example_app_stable_note (id INTEGER PRIMARY KEY, text TEXT)");

    const started = await startVersion("1.1.0");
    backend = started.backend;

    expect(started.backup?.previousVersion).toBe("1.0.0");
    expect(path.basename(started.backup!.file)).toMatch(/^app-1\.0\.0-.+\.sqlite3$/);
    expect(dump(started.backup!.file)).toBe(before);
    expect(describeBackup(started.backup!)).toBe(`Backed up ${database} (last run by version 1.0.0) to ${started.backup!.file} before version 1.1.0 migrates it.`);
    expect(appliedMigrations(database, "example_app")).toContain(migration);
    expect(tables(database)).toContain("example_app_stable_note");
    expect(JSON.parse(readFileSync(path.join(appDataDir, VERSION_FILE), "utf8"))).toMatchObject({ version: "1.1.0" });
  });

  it("puts the 1.1.0 database back when a 1.2.0 migration fails halfway, and names the backup", async () => {
    const before = dump(database);
    const tablesBefore = tables(database);
    // The first new migration succeeds, the second fails: without the restore the database would be half-migrated.
    addMigration("9002_stable_visits", "CREATE TABLE example_app_stable_visit (id INTEGER PRIMARY KEY)");
    addMigration("9003_broken", "THIS IS NOT SQL");

    const failure = await startVersion("1.2.0").then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(MigrationFailedError);
    const error = failure as MigrationFailedError;
    expect(error).toBeInstanceOf(BackendStartError);
    expect(await error.backend.exited).toBe(11);
    expect(error.reason).toMatch(/syntax error/);
    expect(error.restoreError).toBeUndefined();
    expect(error.backup?.previousVersion).toBe("1.1.0");
    expect(error.message).toContain(error.backup!.file);
    expect(error.message).toMatch(/Your data is intact/);
    expect(existsSync(error.backup!.file)).toBe(true);
    expect(tables(database)).toEqual(tablesBefore);
    expect(dump(database)).toBe(before);
    expect(lastRunVersion(appDataDir)).toBe("1.1.0");

    // main.ts shows it like any failed start: the startup dialog names the backup and Django's last lines.
    const dialog = describeStartupFailure(error, error.backend.recentLines(), "backend.log");
    expect(dialog.message).toContain(error.backup!.file);
    expect(dialog.detail).toContain("desktop_serve: migration failed: OperationalError");
  });
});

describe("startBackendWithBackup after an upgrade that was interrupted", () => {
  const versions = appVersions();
  let backend: Backend | undefined;

  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
  });

  beforeAll(() => versions.setUp());

  it("restores the copy taken before the first attempt, not the half-migrated database the second attempt found", async () => {
    const { appDataDir, database, startVersion, addMigration } = versions;
    const before = dump(database);
    const tablesBefore = tables(database);
    // 1.1.0's first start dies in the middle of its migrations: the first is applied, the process ends in the second.
    addMigration("9101_stable_feeds", "CREATE TABLE example_app_stable_feed (id INTEGER PRIMARY KEY)");
    addMigration("9102_stable_names", "", "__import__('os')._exit(1)");
    const killed = await startVersion("1.1.0").then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(killed).toBeInstanceOf(BackendStartError);
    expect(killed).not.toBeInstanceOf(MigrationFailedError);
    expect(appliedMigrations(database, "example_app")).toContain("9101_stable_feeds");
    const [firstBackup] = backupsIn(appDataDir);
    expect(lastRunVersion(appDataDir)).toBe("1.0.0");

    // The second start gets further and a migration fails.
    addMigration("9102_stable_names", "THIS IS NOT SQL");
    const failure = await startVersion("1.1.0").then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(MigrationFailedError);
    const error = failure as MigrationFailedError;
    expect(error.restoreError).toBeUndefined();
    expect(error.backup?.previousVersion).toBe("1.0.0");
    expect(path.basename(error.backup!.file)).toBe(firstBackup);
    expect(backupsIn(appDataDir)).toEqual([firstBackup]);
    expect(appliedMigrations(database, "example_app")).not.toContain("9101_stable_feeds");
    expect(tables(database)).toEqual(tablesBefore);
    expect(dump(database)).toBe(before);
    expect(error.message).toMatch(/Your data is intact.*Reinstall version 1\.0\.0/);

    // Once 1.1.0 has started, the upgrade is over: its record is gone and the backup stays where it is.
    addMigration("9102_stable_names", "CREATE TABLE example_app_stable_name (id INTEGER PRIMARY KEY)");
    const started = await startVersion("1.1.0");
    backend = started.backend;
    expect(started.backup?.file).toBe(error.backup!.file);
    expect(lastRunVersion(appDataDir)).toBe("1.1.0");
    expect(existsSync(path.join(appDataDir, PENDING_UPGRADE_FILE))).toBe(false);
    expect(tables(database)).toEqual(expect.arrayContaining(["example_app_stable_feed", "example_app_stable_name"]));
  });
});
