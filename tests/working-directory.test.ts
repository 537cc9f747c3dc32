/**
 * Every shell starts Django, and its workers, in the folder that holds
 * manage.py (the runtime contract's working directory), as `runserver`,
 * gunicorn and uwsgi users do. The fixture project opens `version.txt` from its
 * settings and a CSV from a data migration by relative paths; each shell's own
 * supervisor starts it while this test runs from another folder.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot, stepDir, steps } from "../scripts/chapters.ts";

const projectDir = path.join(repoRoot, "tests", "fixtures", "relative-paths-project");
const managePy = path.join(projectDir, "manage.py");
const venv = path.join(repoRoot, "django", ".venv");
const python = process.platform === "win32" ? path.join(venv, "Scripts", "python.exe") : path.join(venv, "bin", "python");
const token = "working-directory-test-token-0123456789abcdef";
const EXPECTED_PAGE = "version 3.1.4; colours: amber, teal";

/** What every chapter's backend.ts has in common, from chapter 01's startBackend on. */
interface AnyBackend {
  url: string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}
interface BackendModule {
  startBackend(options: { python: string; managePy: string; port: number; env: Record<string, string>; onLine?: (line: string) => void }): AnyBackend;
}

function contractEnv(): Record<string, string> {
  return {
    DJANGO_SETTINGS_MODULE: "shelfsite.settings",
    DESKTOP_DJANGO_HOST: "127.0.0.1",
    DESKTOP_DJANGO_AUTH_TOKEN: token,
    DESKTOP_DJANGO_APP_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), "dds-cwd-")),
  };
}

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve, reject) => {
    const server = createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The home page once Django answers, or Django's own last lines if it exits first. */
async function homePage(backend: AnyBackend, lines: string[]): Promise<string> {
  const headers = { "X-Desktop-Django-Token": token };
  const exited = backend.exited.then((code) => {
    throw new Error(`Django exited with code ${code} before it answered:\n${lines.slice(-12).join("\n")}`);
  });
  const answered = (async () => {
    for (;;) {
      try {
        const response = await fetch(backend.url, { headers });
        return `${response.status} ${await response.text()}`;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  })();
  return Promise.race([answered, exited]);
}

let stopAll: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stopAll?.();
  stopAll = undefined;
});

describe("the working directory", () => {
  it("the fixture really depends on it: from another folder its settings cannot open version.txt", async () => {
    const { spawnSync } = await import("node:child_process");
    const elsewhere = spawnSync(python, [managePy, "check"], { cwd: os.tmpdir(), env: { ...process.env, ...contractEnv() }, encoding: "utf8" });
    expect(elsewhere.status).not.toBe(0);
    expect(elsewhere.stderr).toContain("No such file or directory: 'version.txt'");
    expect(process.cwd()).not.toBe(projectDir);
  });

  it.each(steps())("%s's supervisor starts Django in the folder holding manage.py (settings and a data migration read relative files)", async (step) => {
    const { startBackend } = (await import(path.join(stepDir(step), "src", "backend.ts"))) as BackendModule;
    const lines: string[] = [];
    const backend = startBackend({ python, managePy, port: await freePort(), env: contractEnv(), onLine: (line) => lines.push(line) });
    stopAll = () => backend.stop();
    expect(await homePage(backend, lines)).toBe(`200 ${EXPECTED_PAGE}`);
  });

  it("final's startApp starts the declared worker there too", async () => {
    const { startApp } = await import("../final/src/app.ts");
    const lines: string[] = [];
    const env = contractEnv();
    const { DESKTOP_DJANGO_AUTH_TOKEN: _token, ...rest } = env;
    const app = await startApp({ python, managePy, env: rest, token, onLine: (line) => lines.push(line), log: () => undefined });
    stopAll = () => app.stop();
    expect(app.workers.map((worker) => worker.command)).toEqual(["shelf_worker"]);
    await expect.poll(() => lines.filter((line) => line.startsWith("shelf_worker:")), { timeout: 20_000 }).toEqual(["shelf_worker: version 3.1.4"]);
  });

  it("npm run check reads the project's settings there", async () => {
    const { readProjectSettings } = await import("../final/scripts/contractChecks.ts");
    const settings = readProjectSettings({ python, managePy } as Parameters<typeof readProjectSettings>[0], contractEnv());
    expect(settings.staticUrl).toBe("/static/");
  });
});
