/**
 * The staged bundle as a packaged app runs it, for the shell's staged tests
 * and the demo's: stagedSession() (called inside a describe) starts the
 * backend through the shell's supervisor from the bundle, in the packaged
 * layout and a scrubbed environment, and trades the token for the cookie
 * through the bootstrap URL as a browser-based shell does.
 */
import { symlinkSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, expect, inject } from "vitest";
import { startBackendOnFreePort, type Backend } from "../src/backend";
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
export function scrubEnvironment(): () => void {
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
export function storeCookies(jar: Map<string, string>, response: Response): void {
  for (const cookie of response.headers.getSetCookie()) {
    const [pair] = cookie.split(";");
    const separator = pair!.indexOf("=");
    jar.set(pair!.slice(0, separator), pair!.slice(separator + 1));
  }
}

export function cookieHeader(jar: Map<string, string>): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

export interface StagedSession {
  token: string;
  appDataDir: string;
  root: () => BackendRoot;
  digestBefore: () => string;
  current: () => Backend | undefined;
  start: () => Promise<Backend>;
  stop: () => Promise<void>;
  bootstrap: (url: string, jar: Map<string, string>, next: string) => Promise<Response>;
}

/** Registers the hooks of one staged-backend describe block and returns its helpers. */
export function stagedSession(): StagedSession {
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

  return {
    token,
    appDataDir,
    root: () => root,
    digestBefore: () => digestBefore,
    current: () => backend,
    async start() {
      backend = await startBackendOnFreePort(
        { python: root.python, managePy: root.managePy, env: contractEnv(root, appDataDir, token), logFile: path.join(appDataDir, "logs", "backend.log") },
        { log: () => undefined },
      );
      await waitForHealth(backend.url, { exited: backend.exited, headers: { [TOKEN_HEADER]: token } });
      return backend;
    },
    async stop() {
      await backend?.stop();
      backend = undefined;
    },
    async bootstrap(url, jar, next) {
      const response = await fetch(new URL(`desktop-auth/bootstrap/?token=${encodeURIComponent(token)}&next=${encodeURIComponent(next)}`, url), { redirect: "manual" });
      expect(response.status).toBe(302);
      storeCookies(jar, response);
      return fetch(new URL(response.headers.get("location")!, url), { headers: { cookie: cookieHeader(jar) } });
    },
  };
}
