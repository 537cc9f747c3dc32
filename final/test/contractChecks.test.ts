/**
 * `npm run check` end to end: every check holds against the real Django in
 * development and against the staged bundle; a real Django with one broken
 * promise fails exactly those checks; and the machine-side checks (database,
 * bundle writes, leftover processes) fail on a bad answer.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { contractEnv, resolveBackend, type BackendRoot } from "../src/backendRoot";
import { killProcessTree } from "../src/backend";
import {
  checkBundleHoldsNoSecrets,
  checkBundleUnchanged,
  checkDatabaseLocation,
  formatResult,
  HEALTH_REDIRECT_ADVICE,
  readProjectSettings,
  runContractChecks,
  snapshotFolder,
  summary,
  survivors,
  waitForSurvivors,
  type CheckResult,
} from "../scripts/contractChecks";
import { NO_BROWSER } from "../scripts/browserCheck";
import { LOGIN_REDIRECT_ADVICE } from "../scripts/contractHttp";
import { tempDir } from "./helpers";

const staged = inject("stagedBundle");

function failures(results: CheckResult[]): string[] {
  return results.filter((result) => !result.ok).map(formatResult);
}

describe("npm run check against the real Django", () => {
  const development = resolveBackend({ isPackaged: false });

  it("holds every check with the development settings", async () => {
    const printed: string[] = [];
    const results = await runContractChecks({ root: development, appDataDir: tempDir("dds-check-dev-"), report: (result) => printed.push(formatResult(result)) });
    expect(failures(results)).toEqual([]);
    expect(results).toHaveLength(19);
    expect(printed).toHaveLength(results.length);
    expect(summary(results)).toBe("19 of 19 checks held");
  });

  it.skipIf(!staged.bundleDir)("holds every check against the staged bundle, DEBUG off and nothing written inside it", async () => {
    const resources = tempDir("dds-check-resources-");
    symlinkSync(staged.bundleDir!, path.join(resources, "backend"), "junction");
    const root = resolveBackend({ isPackaged: true, resourcesPath: resources });
    const results = await runContractChecks({ root, appDataDir: tempDir("dds-check-staged-") });
    expect(failures(results)).toEqual([]);
    expect(results.map((result) => result.title)).toContainEqual(expect.stringContaining("with DEBUG off"));
    expect(results.at(-2)!.title).toMatch(/^the bundle's project folder holds no secrets, private keys, databases, dumps or uploads/);
    expect(results.at(-1)!.title).toMatch(/^nothing was written inside the bundle/);
    expect(results).toHaveLength(21);
  });

  it("fails the refused-bootstrap checks when a middleware sets a cookie on every answer", async () => {
    // The mistake issue 12 found in SKILL.md's auto-login advice: a middleware
    // outside the token guard that sets a session cookie even on a 403.
    const results = await runChecksWithSettings("contract_check_broken_settings", [
      "def session_everywhere(get_response):",
      "    def middleware(request):",
      "        response = get_response(request)",
      "        response.set_cookie('sessionid', 'anonymous', httponly=True, samesite='Strict')",
      "        return response",
      "",
      "    return middleware",
      "",
      "",
      "MIDDLEWARE = ['contract_check_broken_settings.session_everywhere', *MIDDLEWARE]  # noqa: F405",
    ]);
    const failed = results.filter((result) => !result.ok);
    expect(failed.map((result) => result.title)).toEqual([
      "the bootstrap URL with a wrong token answers 403 and sets no cookie",
      "the bootstrap URL with next=//evil.example/ answers 403 and sets no cookie, even with the token",
      "the bootstrap URL with next=https://evil.example/ answers 403 and sets no cookie, even with the token",
      "the bootstrap URL with next=/\\evil.example answers 403 and sets no cookie, even with the token",
    ]);
    expect(failed.every((result) => result.problem === "it set cookie sessionid")).toBe(true);
    expect(formatResult(failed[0]!)).toMatch(/^✗ the bootstrap URL with a wrong token .*: it set cookie sessionid → .*auto-login middleware must skip that path/);
    expect(summary(results)).toBe("15 of 19 checks held");
  });

  /**
   * Runs every check on the development settings plus `lines`, as the settings
   * module `name` in a folder put on PYTHONPATH for the backend.
   */
  async function runChecksWithSettings(name: string, lines: string[]) {
    const settingsDir = tempDir("dds-check-settings-module-");
    writeFileSync(path.join(settingsDir, `${name}.py`), [`from ${development.settingsModule} import *  # noqa: F403`, ...lines, ""].join("\n"));
    const saved = process.env.PYTHONPATH;
    process.env.PYTHONPATH = settingsDir;
    try {
      return await runContractChecks({ root: { ...development, settingsModule: name }, appDataDir: tempDir("dds-check-") });
    } finally {
      if (saved === undefined) delete process.env.PYTHONPATH;
      else process.env.PYTHONPATH = saved;
    }
  }

  /** Runs the checks with a middleware that sends every path but `exempt` to the login page /welcome/. */
  async function checksBehindLoginEverywhere(exempt: string[]) {
    const results = await runChecksWithSettings("contract_check_login_settings", [
      "from django.http import HttpResponse, HttpResponseRedirect",
      "",
      `EXEMPT = ${JSON.stringify(exempt)}`,
      "",
      "",
      "def login_everywhere(get_response):",
      "    def middleware(request):",
      "        if request.path == '/welcome/':",
      "            return HttpResponse('<h1>Log in</h1>')",
      "        if request.path in EXEMPT:",
      "            return get_response(request)",
      "        return HttpResponseRedirect('/welcome/?next=' + request.path)",
      "",
      "    return middleware",
      "",
      "",
      "MIDDLEWARE = [*MIDDLEWARE, 'contract_check_login_settings.login_everywhere']  # noqa: F405",
      "LOGIN_URL = '/welcome/'",
    ]);
    return (start: string) => results.find((result) => result.title.startsWith(start))!;
  }

  it("stops at the start, with what to do, when a login middleware redirects /health/", async () => {
    // The trial's project: a login middleware that did not honour login_not_required sent
    // /health/ to the login page; the shell's readiness poll followed that redirect to a 200.
    const byTitle = await checksBehindLoginEverywhere([]);
    const start = byTitle("the backend starts through the shell's supervisor");
    expect(start.ok).toBe(false);
    expect(start.problem).toMatch(/^Django answered http:\/\/127\.0\.0\.1:\d+\/health\/ with 302, a redirect to \/welcome\/\?next=\/health\/\./);
    expect(start.advice).toBe(HEALTH_REDIRECT_ADVICE);
    expect(byTitle("/health/ with the token answers 200").problem).toBe("not run: the backend did not start");
  });

  it("says that a login middleware redirects the bootstrap URL, instead of blaming the seeding", async () => {
    const byTitle = await checksBehindLoginEverywhere(["/health/"]);
    expect(byTitle("the backend starts through the shell's supervisor").ok).toBe(true);
    expect(byTitle("the bootstrap URL with the token redirects to next").ok).toBe(false);
    expect(byTitle("the bootstrap URL with the token redirects to next").advice).toBe(LOGIN_REDIRECT_ADVICE);
    // A wrong token is refused by the token guard itself, before the login middleware runs.
    expect(byTitle("the bootstrap URL with a wrong token answers 403").ok).toBe(true);
    expect(byTitle("the bootstrap URL with the token redirects to next").problem).toMatch(/^it answered 302, a redirect to the login page \/welcome\/\?next=\/desktop-auth\/bootstrap\/$/);
    expect(formatResult(byTitle("the bootstrap URL with the token redirects to next"))).toContain(
      "→ A login middleware redirects this path: the contract's views must be reachable without a login",
    );
  });

  it("reads the settings the backend runs with", () => {
    const appDataDir = tempDir("dds-check-settings-");
    const settings = readProjectSettings(development, contractEnv(development, appDataDir, "t".repeat(43)));
    expect(settings.staticUrl).toMatch(/^\/\S*\/$/);
    expect(settings.debug).toBe(true);
    expect(settings.loginUrl).toMatch(/^\/\S*\/$/);
    expect(settings.databases.default!.name).toBe(path.join(appDataDir, "app.sqlite3"));
  });

  it("says what went wrong, without running the HTTP checks, when the backend cannot start", async () => {
    const root: BackendRoot = { ...development, settingsModule: "no_such_settings_module" };
    const results = await runContractChecks({ root, appDataDir: tempDir("dds-check-nostart-") });
    expect(results).toHaveLength(19);
    expect(results.every((result) => !result.ok)).toBe(true);
    expect(results[0]!.problem).toContain("no_such_settings_module");
    expect(results[1]!.problem).toBe("not run: the backend did not start");
  });
});

describe("the machine-side checks", () => {
  it("fail for a database outside the app-data folder, one not created, or not SQLite", () => {
    const appDataDir = tempDir("dds-check-db-");
    writeFileSync(path.join(appDataDir, "app.sqlite3"), "");
    const sqlite = (name: string) => ({ staticUrl: "/static/", debug: false, databases: { default: { engine: "django.db.backends.sqlite3", name } } });
    expect(checkDatabaseLocation(sqlite(path.join(appDataDir, "app.sqlite3")), appDataDir).ok).toBe(true);
    const outside = checkDatabaseLocation(sqlite("/srv/project/db.sqlite3"), appDataDir);
    expect(outside.problem).toBe("default is /srv/project/db.sqlite3, outside the app-data folder");
    expect(checkDatabaseLocation(sqlite(path.join(appDataDir, "missing.sqlite3")), appDataDir).problem).toContain("was not created");
    expect(checkDatabaseLocation(sqlite(":memory:"), appDataDir).ok).toBe(false);
    const postgres = { staticUrl: "/static/", debug: false, databases: { default: { engine: "django.db.backends.postgresql", name: "library" } } };
    expect(checkDatabaseLocation(postgres, appDataDir).problem).toBe("default uses django.db.backends.postgresql");
  });

  it("fail when the bundle's project folder carries a .env file or a database", () => {
    const bundle = tempDir("dds-check-secrets-");
    mkdirSync(path.join(bundle, "django", "mysite"), { recursive: true });
    mkdirSync(path.join(bundle, "python"));
    writeFileSync(path.join(bundle, "django", "manage.py"), "");
    writeFileSync(path.join(bundle, "django", "mysite", "settings.py"), "");
    // The runtime's own files are not the project's business.
    writeFileSync(path.join(bundle, "python", "test.db"), "");
    expect(checkBundleHoldsNoSecrets(bundle, path.join(bundle, "django"), snapshotFolder(bundle)).ok).toBe(true);
    writeFileSync(path.join(bundle, "django", ".env"), "SECRET_KEY=the-developers-real-secret\n");
    writeFileSync(path.join(bundle, "django", "mysite", "db.sqlite3"), "");
    const result = checkBundleHoldsNoSecrets(bundle, path.join(bundle, "django"), snapshotFolder(bundle));
    expect(result.ok).toBe(false);
    expect(result.problem).toBe("found django/.env, django/mysite/db.sqlite3");
    expect(formatResult(result)).toMatch(/→ An installer must not carry the developer's secrets or data \(.*\): restage with this shell's `npm run stage`/);
  });

  it("fail on each secret, key, dump, backup and upload the stage leaves out, the same rules as the stage's", () => {
    const named = ["secrets.json", "mysite/local_settings.py", "deploy/id_rsa", "deploy/server.pem", "deploy/server.key", "credentials.json", ".netrc", "production.env", "db.sqlite3.bak", "dump.sql", "media/avatars/ada.png"];
    for (const relative of named) {
      const bundle = tempDir("dds-check-secrets-");
      mkdirSync(path.join(bundle, "django", "mysite"), { recursive: true });
      writeFileSync(path.join(bundle, "django", "manage.py"), "");
      writeFileSync(path.join(bundle, "django", "mysite", "settings.py"), "");
      expect(checkBundleHoldsNoSecrets(bundle, path.join(bundle, "django"), snapshotFolder(bundle)).ok, relative).toBe(true);
      mkdirSync(path.dirname(path.join(bundle, "django", relative)), { recursive: true });
      writeFileSync(path.join(bundle, "django", relative), "the developer's");
      const result = checkBundleHoldsNoSecrets(bundle, path.join(bundle, "django"), snapshotFolder(bundle));
      expect(result.ok, relative).toBe(false);
      expect(result.problem).toBe(`found django/${relative.startsWith("media/") ? "media" : relative}`);
    }
  });

  it("fail when a file inside the bundle is added, changed or removed", () => {
    const bundle = tempDir("dds-check-bundle-");
    mkdirSync(path.join(bundle, "django"));
    writeFileSync(path.join(bundle, "django", "manage.py"), "print('hi')\n");
    writeFileSync(path.join(bundle, "django", "settings.py"), "DEBUG = False\n");
    const before = snapshotFolder(bundle);
    expect(checkBundleUnchanged(bundle, before, snapshotFolder(bundle)).ok).toBe(true);
    writeFileSync(path.join(bundle, "django", "db.sqlite3"), "");
    writeFileSync(path.join(bundle, "django", "settings.py"), "DEBUG = True\n");
    const after = checkBundleUnchanged(bundle, before, snapshotFolder(bundle));
    expect(after.ok).toBe(false);
    expect(after.problem).toBe(`added ${path.join("django", "db.sqlite3")}; changed ${path.join("django", "settings.py")}`);
  });

  it.skipIf(process.platform === "win32")("see a grandchild left in a process group after its leader exited", async () => {
    // The leader starts a sleeper in its own group, then exits: the lifetime check must still see the sleeper.
    const leader = spawn("sh", ["-c", "sleep 30 & echo $!; exit 0"], { detached: true, stdio: ["ignore", "pipe", "ignore"] });
    // Listening for the exit first: the leader may exit before its output has been read.
    const exited = new Promise((resolve) => leader.once("exit", resolve));
    const sleeper = await new Promise<number>((resolve) => leader.stdout.once("data", (data: Buffer) => resolve(Number(String(data).trim()))));
    await exited;
    try {
      const { left } = await waitForSurvivors([leader.pid!], 200, 0);
      expect(left).toEqual([sleeper]);
      expect(survivors([leader.pid!])).toEqual([sleeper]);
    } finally {
      killProcessTree(leader.pid);
    }
    const { left, ms } = await waitForSurvivors([leader.pid!], 2000);
    expect(left).toEqual([]);
    expect(ms).toBeLessThan(2000);
  });
});

/**
 * A stand-in for manage.py whose `desktop_serve` keeps the HTTP side of the
 * contract just enough to start, but breaks the lifetime rule: it ignores
 * stdin, or it exits at EOF and leaves a child running in its process group.
 */
const LIFETIME_BREAKER = `
import json, os, subprocess, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

if sys.argv[1] != "desktop_serve":
    sys.exit("only desktop_serve is faked")
port = int(os.environ["DESKTOP_DJANGO_PORT"])
token = os.environ["DESKTOP_DJANGO_AUTH_TOKEN"]
if os.environ["LIFETIME_BREAK"] == "leave-child":
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], stdin=subprocess.DEVNULL)
    def exit_at_eof():
        while os.read(0, 4096):
            pass
        os._exit(0)
    threading.Thread(target=exit_at_eof, daemon=True).start()

class Health(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.headers.get("X-Desktop-Django-Token") == token else 403)
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')
    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", port), Health)
print("DESKTOP_DJANGO_SERVING " + json.dumps({"url": f"http://127.0.0.1:{port}/", "pid": os.getpid(), "workers": []}), flush=True)
server.serve_forever()
`;

describe("the lifetime check against a backend that outlives its shell", () => {
  const development = resolveBackend({ isPackaged: false });
  const breaks = process.platform === "win32" ? ["ignore-stdin"] : ["ignore-stdin", "leave-child"];

  it.each(breaks)("fails when the backend does %s, then ends what was left", async (mode) => {
    const dir = tempDir("dds-check-lifetime-");
    const managePy = path.join(dir, "manage.py");
    writeFileSync(managePy, LIFETIME_BREAKER);
    const saved = process.env.LIFETIME_BREAK;
    process.env.LIFETIME_BREAK = mode;
    try {
      const results = await runContractChecks({ root: { ...development, managePy }, appDataDir: tempDir("dds-check-lifetime-data-"), settleMs: 0 });
      const lifetime = results.find((result) => result.title.startsWith("killing the running shell (SIGKILL)"))!;
      expect(lifetime.ok).toBe(false);
      expect(lifetime.problem).toMatch(/^still running after \d+ ms: pids \d+/);
      expect(lifetime.advice).toContain("exit_when_stdin_closes()");
      const pids = lifetime.problem!.replace(/^.*pids /, "").split(", ").map(Number);
      await waitForSurvivors(pids, 2000, 0);
      expect(survivors(pids)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.LIFETIME_BREAK;
      else process.env.LIFETIME_BREAK = saved;
    }
  });
});

describe("npm run check from the command line", () => {
  const checkScript = path.join(__dirname, "..", "scripts", "check.ts");
  const runCheck = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, ["--import", "tsx", checkScript, ...args], { cwd: path.join(__dirname, ".."), encoding: "utf8", env: { ...process.env, ...env }, timeout: 240_000 });

  it("prints the options", () => {
    const result = runCheck(["--help"]);
    expect(result.status).toBe(0);
    for (const option of ["--staged", "--app-data <dir>", "--browser", "--help"]) expect(result.stdout).toContain(option);
  });

  it("says in one line that --browser was skipped when there is no browser, and runs every other check", () => {
    const result = runCheck(["--browser"], { DDS_CHROMIUM: "", PLAYWRIGHT_BROWSERS_PATH: tempDir("dds-no-browsers-") });
    expect(result.stdout.split("\n").filter((line) => line.startsWith("Browser check skipped"))).toEqual([NO_BROWSER]);
    expect(result.stdout).toContain("19 of 19 checks held");
    expect(result.status).toBe(0);
  }, 240_000);

  it.skipIf(!process.env.DDS_CHROMIUM)("loads the walked pages in DDS_CHROMIUM with --browser", () => {
    const result = runCheck(["--browser"]);
    expect(result.stdout).toContain(`Browser: ${process.env.DDS_CHROMIUM} (DDS_CHROMIUM)`);
    expect(result.stdout).toMatch(/^✓ in a browser \(DDS_CHROMIUM\), the \d+ pages the walk reached log no console error/m);
    expect(result.stdout).toContain("20 of 20 checks held");
    expect(result.status).toBe(0);
  }, 240_000);
});
