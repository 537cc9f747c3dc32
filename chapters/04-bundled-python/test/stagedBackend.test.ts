import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { request, type IncomingMessage } from "node:http";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { pythonEnvironment, startBackendOnFreePort, type Backend } from "../src/backend";
import { contractEnv, resolveBackend, type BackendRoot } from "../src/backendRoot";
import { waitForHealth } from "../src/readiness";
import { generateToken, TOKEN_HEADER } from "../src/token";
import { bundleDigest } from "../scripts/bundle";
import { tempDir } from "./helpers";

const staged = inject("stagedBundle");

/**
 * Empties this process's environment, as if the shell had been started on a
 * machine with no Python: no PYTHONPATH or PYTHONHOME, HOME an empty folder,
 * and a PATH holding nothing but an empty folder. startBackend passes the
 * shell's environment on, so Django sees exactly this plus the contract.
 */
function scrubEnvironment(): () => void {
  const saved = { ...process.env };
  // Made before the environment is emptied: on Windows, os.tmpdir() reads TEMP, TMP or SystemRoot.
  const home = tempDir("dds-empty-home-");
  const emptyPath = tempDir("dds-empty-path-");
  for (const name of Object.keys(process.env)) delete process.env[name];
  process.env.HOME = home;
  process.env.PATH = emptyPath;
  if (process.platform === "win32") {
    // Windows cannot load any program without its system folders.
    process.env.SystemRoot = saved.SystemRoot;
    process.env.PATH = `${process.env.PATH};${saved.SystemRoot}\\System32`;
    process.env.USERPROFILE = process.env.HOME;
  }
  return () => {
    for (const name of Object.keys(process.env)) delete process.env[name];
    Object.assign(process.env, saved);
  };
}

/** Cookies a response sets, merged into a jar. */
function storeCookies(jar: Map<string, string>, response: Response): void {
  for (const cookie of response.headers.getSetCookie()) {
    const [pair] = cookie.split(";");
    const separator = pair!.indexOf("=");
    jar.set(pair!.slice(0, separator), pair!.slice(separator + 1));
  }
}

function cookieHeader(jar: Map<string, string>): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

describe.skipIf(!staged.bundleDir)("the staged backend, started by the shell's supervisor with a scrubbed environment", () => {
  const token = generateToken();
  const appDataDir = tempDir("dds-app-data-");
  let root: BackendRoot;
  let digestBefore: string;
  let restoreEnvironment: () => void;
  let backend: Backend | undefined;

  beforeAll(() => {
    // The packaged layout: the bundle is the `backend` folder of the app's resources.
    const resources = tempDir("dds-resources-");
    symlinkSync(staged.bundleDir!, path.join(resources, "backend"), "junction");
    root = resolveBackend({ isPackaged: true, resourcesPath: resources });
    digestBefore = bundleDigest(staged.bundleDir!);
    restoreEnvironment = scrubEnvironment();
  });

  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
  });

  afterAll(() => restoreEnvironment?.());

  async function start(): Promise<Backend> {
    backend = await startBackendOnFreePort(
      { python: root.python, managePy: root.managePy, env: contractEnv(root, appDataDir, token), logFile: path.join(appDataDir, "logs", "backend.log") },
      { log: () => undefined },
    );
    await waitForHealth(backend.url, { exited: backend.exited, headers: { [TOKEN_HEADER]: token } });
    return backend;
  }

  /** Trades the token for the session cookie through the bootstrap URL, as a browser-based shell does. */
  async function bootstrap(url: string, jar: Map<string, string>, next: string): Promise<Response> {
    const response = await fetch(new URL(`desktop-auth/bootstrap/?token=${encodeURIComponent(token)}&next=${encodeURIComponent(next)}`, url), { redirect: "manual" });
    expect(response.status).toBe(302);
    storeCookies(jar, response);
    return fetch(new URL(response.headers.get("location")!, url), { headers: { cookie: cookieHeader(jar) } });
  }

  it("runs the bundle's own interpreter, with no Python from this machine in its environment", async () => {
    const { child } = await start();
    expect(root.layout).toBe("packaged");
    if (process.platform === "linux") {
      expect(readlinkSync(`/proc/${child.pid}/exe`)).toMatch(new RegExp(`^${staged.bundleDir!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/python/`));
      const environment = readFileSync(`/proc/${child.pid}/environ`, "utf8").split("\0");
      expect(environment.filter((entry) => /^(PYTHONPATH|PYTHONHOME|VIRTUAL_ENV)=/.test(entry))).toEqual([]);
      expect(environment).toContain(`PATH=${process.env.PATH}`);
      expect(environment).toContain(`DESKTOP_DJANGO_BUNDLE_DIR=${root.bundleDir}`);
    }
  });

  it("answers /health/ with the token and 403 without it", async () => {
    const { url } = await start();
    const health = await fetch(new URL("health/", url), { headers: { [TOKEN_HEADER]: token } });
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    expect((await fetch(new URL("health/", url))).status).toBe(403);
  });

  it("shows the seeded pony list through the bootstrap URL, with its static files from the bundle", async () => {
    const { url } = await start();
    const jar = new Map<string, string>();
    const list = await bootstrap(url, jar, "/");
    expect(list.status).toBe(200);
    expect(await list.text()).toContain("My Ponies");
    const css = await fetch(new URL("static/flying_stable/flying_stable.css", url), { headers: { cookie: cookieHeader(jar) } });
    expect(css.status).toBe(200);
  });

  it("links content-hashed static files that a browser caches for good, and answers only GET and HEAD for them", async () => {
    const { url } = await start();
    const jar = new Map<string, string>();
    const page = await (await bootstrap(url, jar, "/")).text();
    const stylesheet = /<link rel="stylesheet" href="([^"]+)"/.exec(page)?.[1];
    expect(stylesheet).toMatch(/^\/static\/flying_stable\/flying_stable\.[0-9a-f]{12}\.css$/);
    const headers = { cookie: cookieHeader(jar), "accept-encoding": "gzip" };
    const css = await fetch(new URL(stylesheet!, url), { headers });
    expect(css.status).toBe(200);
    expect(css.headers.get("cache-control")).toBe("max-age=315360000, public, immutable");
    expect(css.headers.get("content-encoding")).toBe("gzip");
    expect((await fetch(new URL(stylesheet!, url), { method: "HEAD", headers })).status).toBe(200);
    // fetch() refuses TRACE, so these go through node:http.
    for (const method of ["OPTIONS", "TRACE", "POST"]) {
      const other = await new Promise<IncomingMessage>((resolve, reject) =>
        request(new URL(stylesheet!, url), { method, headers }, resolve).on("error", reject).end(),
      );
      other.resume();
      expect(other.statusCode, method).toBe(405);
      expect(other.headers.allow).toBe("GET, HEAD");
    }
    expect((await fetch(new URL(stylesheet!, url))).status).toBe(403);
  });

  it("keeps a pony created through the real form across a restart", async () => {
    const name = `Bundled Breeze ${Date.now()}`;
    const first = await start();
    const jar = new Map<string, string>();
    const form = await bootstrap(first.url, jar, "/ponies/new/");
    storeCookies(jar, form);
    const csrf = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(await form.text())?.[1];
    expect(csrf).toBeDefined();
    const created = await fetch(new URL("ponies/new/", first.url), {
      method: "POST",
      redirect: "manual",
      headers: { cookie: cookieHeader(jar), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfmiddlewaretoken: csrf!, title: name, status: "active", notes: "staged" }).toString(),
    });
    expect(created.status).toBe(302);
    await first.stop();

    const second = await start();
    const list = await bootstrap(second.url, new Map(), "/");
    expect(await list.text()).toContain(name);
  });

  it("writes its database, secret key and logs to the app-data folder, and nothing inside the bundle", async () => {
    await start();
    await backend!.stop();
    backend = undefined;
    for (const file of ["app.sqlite3", "secret_key", path.join("logs", "backend.log")]) expect(existsSync(path.join(appDataDir, file)), file).toBe(true);
    expect(bundleDigest(staged.bundleDir!)).toBe(digestBefore);
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
