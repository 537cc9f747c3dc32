import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { pythonEnvironment, startBackendOnFreePort, type Backend } from "../src/backend";
import { contractEnv, resolveBackend, type BackendRoot } from "../src/backendRoot";
import { waitForHealth } from "../src/readiness";
import { generateToken, TOKEN_HEADER } from "../src/token";
import { bundleDigest } from "../scripts/bundle";
import { tempDir } from "./helpers";
import { cookieHeader, stagedSession } from "./stagedSession";

const staged = inject("stagedBundle");

describe.skipIf(!staged.bundleDir)("the staged backend, started by the shell's supervisor with a scrubbed environment", () => {
  const session = stagedSession();
  const { token, appDataDir, start, bootstrap } = session;

  it("runs the bundle's own interpreter, with no Python from this machine in its environment", async () => {
    const { child } = await start();
    expect(session.root().layout).toBe("packaged");
    if (process.platform === "linux") {
      expect(readlinkSync(`/proc/${child.pid}/exe`)).toMatch(new RegExp(`^${staged.bundleDir!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/python/`));
      const environment = readFileSync(`/proc/${child.pid}/environ`, "utf8").split("\0");
      expect(environment.filter((entry) => /^(PYTHONPATH|PYTHONHOME|VIRTUAL_ENV)=/.test(entry))).toEqual([]);
      expect(environment).toContain(`PATH=${process.env.PATH}`);
      expect(environment).toContain(`DESKTOP_DJANGO_BUNDLE_DIR=${session.root().bundleDir}`);
    }
  });

  it("answers /health/ with the token and 403 without it", async () => {
    const { url } = await start();
    const health = await fetch(new URL("health/", url), { headers: { [TOKEN_HEADER]: token } });
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    expect((await fetch(new URL("health/", url))).status).toBe(403);
  });

  it("shows the home page through the bootstrap URL, with its stylesheets from the bundle", async () => {
    const { url } = await start();
    const jar = new Map<string, string>();
    const home = await bootstrap(url, jar, "/");
    expect(home.status).toBe(200);
    const links = (await home.text()).match(/<link\b[^>]*>/g) ?? [];
    const stylesheets = links.filter((link) => /rel=["']stylesheet["']/.test(link)).map((link) => /href=["'](\/[^"']+)["']/.exec(link)?.[1]).filter((href) => href !== undefined);
    expect(stylesheets.length).toBeGreaterThan(0);
    for (const href of stylesheets) {
      expect((await fetch(new URL(href, url), { headers: { cookie: cookieHeader(jar) } })).status, href).toBe(200);
    }
  });

  it("writes its database, secret key and logs to the app-data folder, and nothing inside the bundle", async () => {
    await start();
    await session.stop();
    for (const file of ["app.sqlite3", "secret_key", path.join("logs", "backend.log")]) expect(existsSync(path.join(appDataDir, file)), file).toBe(true);
    expect(bundleDigest(staged.bundleDir!)).toBe(session.digestBefore());
  });
});

/** A `django` package that refuses to load: if Django comes from here rather than the bundle, the backend fails. */
function plantShadowDjango(siteDir: string, where: string): void {
  mkdirSync(path.join(siteDir, "django"), { recursive: true });
  writeFileSync(path.join(siteDir, "django", "__init__.py"), `raise ImportError("imported the django package from ${where}, not the bundle's")\n`);
}

describe("pythonEnvironment", () => {
  const inherited = { PATH: "/bin", PYTHONHOME: "/elsewhere", PYTHONPATH: "/shadow", pythonstartup: "x.py", PYTHONUNBUFFERED: "0" };

  it("keeps the developer's Python variables for the development virtualenv", () => {
    expect(pythonEnvironment(inherited, { DJANGO_SETTINGS_MODULE: "s" })).toEqual({ ...inherited, PYTHONUNBUFFERED: "1", DJANGO_SETTINGS_MODULE: "s" });
  });

  it("gives a bundled interpreter no PYTHON* variable of the user's, in any case, and no user site-packages", () => {
    expect(pythonEnvironment(inherited, { DESKTOP_DJANGO_BUNDLE_DIR: "/b" })).toEqual({
      PATH: "/bin",
      PYTHONUNBUFFERED: "1",
      PYTHONNOUSERSITE: "1",
      DESKTOP_DJANGO_BUNDLE_DIR: "/b",
    });
  });
});

describe.skipIf(!staged.bundleDir)("the staged backend, started by the shell's supervisor in a hostile Python environment", () => {
  const token = generateToken();
  const saved = { ...process.env };
  let root: BackendRoot;
  let backend: Backend | undefined;

  beforeAll(() => {
    root = resolveBundle();
    const home = tempDir("dds-hostile-home-");
    const homeEnv = { HOME: home, USERPROFILE: home, APPDATA: path.join(home, "AppData", "Roaming") };
    // Where this interpreter looks for the user's own packages, for a user whose home is `home`.
    const userSite = spawnSync(root.python, ["-c", "import site; print(site.getusersitepackages())"], {
      env: { PATH: process.env.PATH, SystemRoot: process.env.SystemRoot, ...homeEnv },
      encoding: "utf8",
    }).stdout.trim();
    expect(userSite.startsWith(home)).toBe(true);
    plantShadowDjango(userSite, "the user's site-packages");
    const shadow = tempDir("dds-pythonpath-");
    plantShadowDjango(shadow, "PYTHONPATH");
    // The trap is live: the bundle's interpreter, left to itself, imports the user's django.
    const trapped = spawnSync(root.python, ["-c", "import django"], {
      env: { PATH: process.env.PATH, SystemRoot: process.env.SystemRoot, ...homeEnv },
      encoding: "utf8",
    });
    expect(trapped.stderr).toContain("imported the django package from the user's site-packages");
    Object.assign(process.env, homeEnv, { PYTHONHOME: path.join(home, "nonexistent"), PYTHONPATH: shadow });
  });

  afterAll(async () => {
    await backend?.stop();
    for (const name of Object.keys(process.env)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  /** The packaged layout over the staged bundle, as the first suite builds it. */
  function resolveBundle(): BackendRoot {
    const resources = tempDir("dds-resources-");
    symlinkSync(staged.bundleDir!, path.join(resources, "backend"), "junction");
    return resolveBackend({ isPackaged: true, resourcesPath: resources });
  }

  it("serves with PYTHONHOME, PYTHONPATH and a user site that would each break it", async () => {
    const appDataDir = tempDir("dds-app-data-");
    backend = await startBackendOnFreePort({ python: root.python, managePy: root.managePy, env: contractEnv(root, appDataDir, token) }, { log: () => undefined });
    await waitForHealth(backend.url, { exited: backend.exited, headers: { [TOKEN_HEADER]: token } });
    expect((await fetch(new URL("health/", backend.url), { headers: { [TOKEN_HEADER]: token } })).status).toBe(200);
  });
});
