import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BackendStartError, EXIT_DATABASE_CORRUPT, exitAdvice, parseServingLine, startBackend, startBackendOnFreePort, type Backend, type ServingInfo } from "../src/backend";
import { devPaths } from "../src/paths";
import { waitForHealth } from "../src/readiness";
import { createServer, type Server } from "node:net";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { FolderNotWritableError } from "../src/logFile";
import { freePort, isRunning, makeReadOnly, tempDir, waitFor, waitUntilGone } from "./helpers";
import project from "../src/project";

const paths = devPaths();
let backend: Backend | undefined;

afterEach(async () => {
  await backend?.stop();
  backend = undefined;
});

function devEnv(): Record<string, string> {
  return {
    DJANGO_SETTINGS_MODULE: project.settings.development,
    DESKTOP_DJANGO_HOST: "127.0.0.1",
    DESKTOP_DJANGO_APP_DATA_DIR: tempDir(),
  };
}

describe("parseServingLine", () => {
  it("reads the line desktop_serve prints when it serves", () => {
    expect(parseServingLine('DESKTOP_DJANGO_SERVING {"url": "http://127.0.0.1:5/", "pid": 7, "workers": []}')).toEqual({
      url: "http://127.0.0.1:5/",
      pid: 7,
      workers: [],
    });
  });

  it("ignores other output and broken JSON", () => {
    expect(parseServingLine("Watching for file changes")).toBeUndefined();
    expect(parseServingLine("DESKTOP_DJANGO_SERVING {not json")).toBeUndefined();
  });
});

describe("startBackend", () => {
  it("starts Django with the contract's environment and serves the home page", async () => {
    const port = await freePort();
    const served: ServingInfo[] = [];
    backend = startBackend({ ...paths, port, env: devEnv(), onServing: (info) => served.push(info) });
    await waitForHealth(backend.url, { exited: backend.exited });
    const response = await fetch(backend.url);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/<html/i);
    expect(served[0]?.url).toBe(`http://127.0.0.1:${port}/`);
  });

  it("stop() ends Django and its autoreload child", async () => {
    const port = await freePort();
    const serving = await new Promise<ServingInfo>((resolve) => {
      backend = startBackend({ ...paths, port, env: devEnv(), args: ["--reload"], onServing: resolve });
    });
    const reloaderPid = backend!.child.pid!;
    expect(serving.pid).not.toBe(reloaderPid);
    expect(isRunning(serving.pid)).toBe(true);
    await backend!.stop();
    backend = undefined;
    await waitUntilGone([reloaderPid, serving.pid], 2000);
  });

  it("Django and its autoreload child are gone within 2 s after SIGKILL of the supervising process", async () => {
    const port = await freePort();
    const supervisor = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "fixtures", "supervise.ts"), String(port), tempDir()], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const pids = await waitFor<{ reloader: number; server: number }>(
      (resolve) => createInterface({ input: supervisor.stdout }).on("line", (line) => line.startsWith("{") && resolve(JSON.parse(line))),
      30_000,
      "the supervisor to report Django's process ids",
    );
    expect(isRunning(pids.reloader) && isRunning(pids.server)).toBe(true);
    supervisor.kill("SIGKILL");
    await waitUntilGone([pids.reloader, pids.server], 2000);
  });
});

describe("startBackendOnFreePort", () => {
  it("tries another port when the first is taken before Django binds it, and says why", async () => {
    const taken = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(taken, "127.0.0.1", resolve));
    const ports = [taken, await freePort()];
    const messages: string[] = [];
    try {
      backend = await startBackendOnFreePort({ ...paths, env: devEnv() }, { choosePort: async () => ports.shift()!, log: (m) => messages.push(m) });
      expect(backend.url).not.toContain(`:${taken}/`);
      await waitForHealth(backend.url, { exited: backend.exited });
      expect(messages).toEqual([`Port ${taken} was taken before Django could bind it; trying another port (attempt 2 of 3).`]);
    } finally {
      blocker.close();
    }
  });

  it("gives up after the bounded number of attempts", async () => {
    const taken = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(taken, "127.0.0.1", resolve));
    try {
      await expect(startBackendOnFreePort({ ...paths, env: devEnv() }, { attempts: 2, choosePort: async () => taken, log: () => {} })).rejects.toThrow(
        "Django exited with code 10 before it started serving. Other programs took every port it tried before Django could bind it. Start the app again.",
      );
    } finally {
      blocker.close();
    }
  });

  it("reports a crash before serving with Django's last lines, and writes them to the log file", async () => {
    const logFile = `${tempDir()}/logs/backend.log`;
    const env = { ...devEnv(), DJANGO_SETTINGS_MODULE: "desktop_settings_that_do_not_exist" };
    const error = await startBackendOnFreePort({ ...paths, env, logFile }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendStartError);
    expect((error as Error).message).toBe(`Django exited with code 1 before it started serving. ${exitAdvice(1)}`);
    expect(exitAdvice(1)).toContain("the last lines show it");
    const lines = (error as BackendStartError).backend.recentLines().join("\n");
    expect(lines).toContain("desktop_settings_that_do_not_exist");
    await (error as BackendStartError).backend.exited;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(existsSync(logFile)).toBe(true);
    expect(readFileSync(logFile, "utf8")).toContain("desktop_settings_that_do_not_exist");
  });

  it("stops before Python runs when the app-data folder is read-only, and says so with where it is", async (context) => {
    const env = devEnv();
    const undo = makeReadOnly(env.DESKTOP_DJANGO_APP_DATA_DIR!);
    if (typeof undo === "string") return context.skip(undo);
    try {
      const logFile = path.join(env.DESKTOP_DJANGO_APP_DATA_DIR!, "logs", "backend.log");
      const error = await startBackendOnFreePort({ ...paths, env, logFile }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FolderNotWritableError);
      expect((error as FolderNotWritableError).refusing).toBe(env.DESKTOP_DJANGO_APP_DATA_DIR);
      expect((error as Error).message).toContain(`is not writable`);
    } finally {
      undo();
    }
  });

  it("says a failed migration will not go away by starting again", async () => {
    // A sound SQLite file whose migration table has lost its columns: reading it fails, and
    // desktop_serve exits with 11 instead of serving. (A damaged file exits with 13.)
    const env = devEnv();
    const broken = "import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('CREATE TABLE django_migrations (lost)')";
    expect(spawnSync(paths.python, ["-c", broken, path.join(env.DESKTOP_DJANGO_APP_DATA_DIR!, "app.sqlite3")]).status).toBe(0);
    const error = await startBackendOnFreePort({ ...paths, env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendStartError);
    expect((error as Error).message).toBe(
      "Django exited with code 11 before it started serving. A database migration failed; its error is in the last lines. " +
        "Starting again will not help until the migration or the database is fixed.",
    );
    expect((error as BackendStartError).backend.recentLines().join("\n")).toContain("migration failed: ");
  });

  it("refuses a database a newer version of the app has migrated, and says to install that version", async () => {
    const env = devEnv();
    backend = await startBackendOnFreePort({ ...paths, env });
    await backend.stop();
    backend = undefined;
    // What a newer version leaves behind: a migration this code does not have, recorded as applied.
    const database = path.join(env.DESKTOP_DJANGO_APP_DATA_DIR!, "app.sqlite3");
    const insert = "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.execute(\"INSERT INTO django_migrations (app, name, applied) VALUES ('desktop_runtime', '0099_newer', '2026-01-01')\"); db.commit()";
    expect(spawnSync(paths.python, ["-c", insert, database]).status).toBe(0);
    const error = await startBackendOnFreePort({ ...paths, env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendStartError);
    expect((error as Error).message).toBe(`Django exited with code 12 before it started serving. ${exitAdvice(12)}`);
    expect(exitAdvice(12)).toContain("Install the newer version again");
    expect((error as BackendStartError).backend.recentLines().join("\n")).toContain("desktop_runtime.0099_newer");
  });
});

describe("exitAdvice", () => {
  it("tells a shell bug and an outside kill apart from a problem in the project", () => {
    expect(exitAdvice(2)).toContain("a bug in the shell, not in the Django project");
    expect(exitAdvice(null)).toBe("Something outside the app ended it.");
  });

  it("names the damaged database and the backups folder, and says to restore a backup", () => {
    const appDataDir = path.join(tempDir(), "My App");
    const advice = exitAdvice(EXIT_DATABASE_CORRUPT, appDataDir);
    expect(advice).toContain(`The database ${path.join(appDataDir, "app.sqlite3")} is damaged, and the app changed nothing in it.`);
    expect(advice).toContain(`copy the newest backup from ${path.join(appDataDir, "backups")} in its place`);
    expect(exitAdvice(EXIT_DATABASE_CORRUPT)).toContain(path.join("the app-data folder", "backups"));
  });

  it("gives that advice, with the contract's app-data folder, when desktop_serve exits with 13", async () => {
    // A stand-in for manage.py that exits as desktop_serve does on a database that fails SQLite's quick_check.
    const managePy = path.join(tempDir(), "exits-13.cjs");
    writeFileSync(managePy, "console.log('desktop_serve: the database is damaged'); process.exit(13);\n");
    const env = devEnv();
    const error = await startBackendOnFreePort({ python: process.execPath, managePy, env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendStartError);
    expect((error as Error).message).toBe(
      `Django exited with code 13 before it started serving. ${exitAdvice(EXIT_DATABASE_CORRUPT, env.DESKTOP_DJANGO_APP_DATA_DIR)}`,
    );
  });
});
