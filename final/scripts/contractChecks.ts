/**
 * `npm run check`: does this Django project keep the runtime contract?
 *
 * It starts the project's backend the way the desktop shell does (startApp,
 * the contract's environment, a fresh token), asks every HTTP question of the
 * contract from outside (contractHttp.ts), then checks what only the machine
 * can show: where the database went, that a second start on the same data
 * works, that the backend and its workers die with the shell, and, for a
 * bundle, that nothing was written inside it.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { AppStartError, startApp, type RunningApp } from "../src/app";
import { killProcessTree } from "../src/backend";
import { contractEnv, type BackendRoot } from "../src/backendRoot";
import { HealthRedirectError } from "../src/readiness";
import { generateToken } from "../src/token";
import type { FoundBrowser } from "./browserCheck";
import { FAILED_PREFIX, OPTIONS_VARIABLE, READY_PREFIX, type SupervisorOptions, type SupervisorReady } from "./checkSupervisor";
import { checkHealth, checkHomePage, checkHttpContract, fetchHomePage, HEALTH_PATH, LOGIN_REDIRECT_ADVICE, type CheckResult, type HttpTarget } from "./contractHttp";
import { LOCAL_DATA_DESCRIPTION, localDataAmong } from "./projectFiles";

export type { CheckResult } from "./contractHttp";

export interface ContractCheckOptions {
  root: BackendRoot;
  /** The app-data folder: the database, secret key and logs go here. */
  appDataDir: string;
  /** Called with each result as soon as it is known, for one printed line per check. */
  report?: (result: CheckResult) => void;
  /** The contract's limit for the backend to exit once its stdin closes. */
  exitLimitMs?: number;
  /**
   * How long the second start runs before the supervisor is killed. A worker
   * still importing Django cannot see its stdin close until its watcher runs,
   * so the lifetime rule is measured on a started app, not in its first second.
   */
  settleMs?: number;
  /** With --browser: the browser that loads the pages the walk reached; none, no browser check. */
  browser?: FoundBrowser;
}

/** What Django's own settings say, read with `manage.py shell -c` under the contract's environment. */
export interface ProjectSettings {
  staticUrl: string;
  debug: boolean;
  databases: Record<string, { engine: string; name: string }>;
  /** LOGIN_URL resolved to a path (it may be a URL name). */
  loginUrl?: string;
}

const SETTINGS_PREFIX = "CONTRACT_CHECK_SETTINGS ";
const SETTINGS_PROBE = [
  "import json",
  "from django.conf import settings as s",
  "dbs = {alias: {'engine': str(db.get('ENGINE', '')), 'name': str(db.get('NAME', ''))} for alias, db in s.DATABASES.items()}",
  "try:",
  "    from django.shortcuts import resolve_url",
  "    login = str(resolve_url(s.LOGIN_URL))",
  "except Exception:",
  "    login = str(s.LOGIN_URL)",
  `print(${JSON.stringify(SETTINGS_PREFIX)} + json.dumps({'staticUrl': s.STATIC_URL, 'debug': bool(s.DEBUG), 'databases': dbs, 'loginUrl': login}))`,
].join("\n");
export const EXIT_LIMIT_MS = 2000;
export const SETTLE_MS = 2000;

/** Reads STATIC_URL, DEBUG and DATABASES from the settings the backend runs with; throws with Django's last lines on failure. */
export function readProjectSettings(root: BackendRoot, env: Record<string, string>): ProjectSettings {
  const result = spawnSync(root.python, [root.managePy, "shell", "-c", SETTINGS_PROBE], {
    // This probe is the check's own tool, not the app: it must not write .pyc files into a bundle either.
    env: { ...process.env, ...env, PYTHONDONTWRITEBYTECODE: "1" },
    // As the shell starts Django: settings that open a file relative to the project must find it here too.
    cwd: path.dirname(root.managePy),
    encoding: "utf8",
    timeout: 120_000,
    windowsHide: true,
  });
  const line = (result.stdout ?? "").split(/\r?\n/).find((each) => each.startsWith(SETTINGS_PREFIX));
  if (!line) {
    const lines = `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}`.trim().split(/\r?\n/).slice(-8);
    throw new Error(`\`manage.py shell\` could not load the settings ${env.DJANGO_SETTINGS_MODULE}:\n    ${lines.join("\n    ")}`);
  }
  return JSON.parse(line.slice(SETTINGS_PREFIX.length)) as ProjectSettings;
}

function inside(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}

function realpathOrSelf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** Every database is a SQLite file that exists inside the app-data folder. */
export function checkDatabaseLocation(settings: ProjectSettings | Error, appDataDir: string): CheckResult {
  const title = `the database is a SQLite file in the app-data folder (${appDataDir})`;
  const advice =
    "In the desktop settings, set DATABASES' NAME to Path(os.environ['DESKTOP_DJANGO_APP_DATA_DIR']) / 'app.sqlite3' (SQLite, one file per user, never inside the project or the bundle).";
  if (settings instanceof Error) return { title, ok: false, problem: settings.message, advice };
  const folder = realpathOrSelf(appDataDir);
  const problems: string[] = [];
  for (const [alias, database] of Object.entries(settings.databases)) {
    if (!database.engine.endsWith("sqlite3")) problems.push(`${alias} uses ${database.engine}`);
    else if (!database.name || database.name === ":memory:" || database.name.startsWith("file:")) problems.push(`${alias} is ${database.name || "unnamed"}`);
    else if (!inside(folder, realpathOrSelf(database.name))) problems.push(`${alias} is ${database.name}, outside the app-data folder`);
    else if (!existsSync(database.name)) problems.push(`${alias} (${database.name}) was not created by the start`);
  }
  if (Object.keys(settings.databases).length === 0) problems.push("DATABASES is empty");
  return problems.length ? { title, ok: false, problem: problems.join("; "), advice } : { title, ok: true };
}

/** Size and modification time of every entry under a folder, by relative path; symlinks are not followed. */
export function snapshotFolder(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  const walk = (relative: string) => {
    for (const name of readdirSync(path.join(dir, relative)).sort()) {
      const child = relative ? path.join(relative, name) : name;
      const stat = lstatSync(path.join(dir, child));
      entries.set(child, stat.isDirectory() ? "dir" : `${stat.size}:${stat.mtimeMs}`);
      if (stat.isDirectory()) walk(child);
    }
  };
  walk("");
  return entries;
}

export function checkBundleUnchanged(bundleDir: string, before: Map<string, string>, after: Map<string, string>): CheckResult {
  const added = [...after.keys()].filter((name) => !before.has(name));
  const removed = [...before.keys()].filter((name) => !after.has(name));
  const changed = [...after.keys()].filter((name) => before.has(name) && before.get(name) !== after.get(name) && after.get(name) !== "dir");
  const title = `nothing was written inside the bundle (${before.size} entries in ${bundleDir} kept their size and time)`;
  if (!added.length && !removed.length && !changed.length) return { title, ok: true };
  const list = (label: string, names: string[]) => (names.length ? [`${label} ${names.slice(0, 5).join(", ")}${names.length > 5 ? ` and ${names.length - 5} more` : ""}`] : []);
  return {
    title,
    ok: false,
    problem: [...list("added", added), ...list("removed", removed), ...list("changed", changed)].join("; "),
    advice:
      "Everything the app writes (database, uploads, caches, logs, .pyc files) must go to DESKTOP_DJANGO_APP_DATA_DIR: set MEDIA_ROOT, cache and log paths there and sys.dont_write_bytecode = True in the packaged settings.",
  };
}

/** Processes still alive (zombies do not count) among `pids`, or in the process groups they lead. */
export function survivors(pids: number[]): number[] {
  if (process.platform === "win32") {
    return pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
  }
  const rows: { pid: number; group: number; state: string }[] = [];
  if (process.platform === "linux") {
    for (const name of readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        rows.push({ pid: Number(name), state: fields[0]!, group: Number(fields[2]) });
      } catch {
        // It ended while we looked.
      }
    }
  } else {
    const listing = spawnSync("ps", ["-A", "-o", "pid=,pgid=,stat="], { encoding: "utf8" }).stdout ?? "";
    for (const line of listing.split("\n")) {
      const [pid, group, state] = line.trim().split(/\s+/);
      if (pid && group && state) rows.push({ pid: Number(pid), group: Number(group), state });
    }
  }
  const watched = new Set(pids);
  return rows.filter((row) => (watched.has(row.pid) || watched.has(row.group)) && !row.state.startsWith("Z")).map((row) => row.pid);
}

function tsxImport(): string {
  return pathToFileURL(createRequire(path.join(__dirname, "..", "package.json")).resolve("tsx")).href;
}

interface SupervisorRun {
  child: ReturnType<typeof spawn>;
  ready: SupervisorReady;
}

/** Starts the backend in a separate supervisor process (checkSupervisor.ts) so that it can be killed like a crashed shell. */
async function startSupervisor(options: SupervisorOptions): Promise<SupervisorRun> {
  const child = spawn(process.execPath, ["--import", tsxImport(), path.join(__dirname, "checkSupervisor.ts")], {
    env: { ...process.env, [OPTIONS_VARIABLE]: JSON.stringify(options) },
    stdio: ["pipe", "pipe", "pipe"],
    windowsHide: true,
  });
  const errors: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (line) => errors.push(line));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith(READY_PREFIX)) resolve({ child, ready: JSON.parse(line.slice(READY_PREFIX.length)) as SupervisorReady });
      if (line.startsWith(FAILED_PREFIX)) {
        const failure = JSON.parse(line.slice(FAILED_PREFIX.length)) as { message: string; recentLines: string[] };
        reject(new Error(`${failure.message}\n    ${failure.recentLines.slice(-8).join("\n    ")}`));
      }
    });
    child.once("exit", (code) => reject(new Error(`the supervisor process exited with code ${code}: ${errors.slice(-5).join(" | ")}`)));
  });
}

/** Polls until none of `pids` (nor anything in their process groups) runs; gives up `extraMs` after the limit, to report what is left. */
export async function waitForSurvivors(pids: number[], limitMs: number, extraMs = 1000): Promise<{ ms: number; left: number[] }> {
  const started = Date.now();
  for (;;) {
    const left = survivors(pids);
    const ms = Date.now() - started;
    if (left.length === 0 || ms > limitMs + extraMs) return { ms, left };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function startFailure(error: unknown, logFile: string): string {
  const cause = error instanceof AppStartError ? error.cause : error;
  const lines = error instanceof AppStartError ? error.recentLines.slice(-8) : [];
  return [`${(cause as Error)?.message ?? String(cause)}`, ...lines.map((line) => `    ${line}`), `    Full log: ${logFile}`].join("\n");
}

/**
 * Fails when the bundle's project folder holds local data (projectFiles.ts's
 * rules, the stage's own): the developer's secrets, keys, databases, dumps or
 * uploads, shipped to every user.
 */
export function checkBundleHoldsNoSecrets(bundleDir: string, projectDir: string, entries: Map<string, string>): CheckResult {
  const project = path.relative(bundleDir, projectDir);
  const inProject = [...entries.keys()]
    .filter((relative) => project === "" || relative.startsWith(project + path.sep))
    .map((relative) => path.relative(project, relative).split(path.sep).join("/"));
  const found = localDataAmong(inProject);
  const title = `the bundle's project folder holds no secrets, private keys, databases, dumps or uploads (${project || "."})`;
  if (!found.length) return { title, ok: true };
  const shown = (relative: string) => [project, relative].filter(Boolean).join("/").split(path.sep).join("/");
  return {
    title,
    ok: false,
    problem: `found ${found.map(shown).join(", ")}`,
    advice:
      `An installer must not carry the developer's secrets or data (${LOCAL_DATA_DESCRIPTION}): restage with this shell's \`npm run stage\`, ` +
      "which leaves them out (and, in a git checkout, everything git does not track), and let the packaged settings keep the secret key in DESKTOP_DJANGO_APP_DATA_DIR.",
  };
}

const START_ADVICE = "Run `npm run backend` (add --staged for the bundle) to see Django's own error, fix it, and check again.";
export const HEALTH_REDIRECT_ADVICE =
  "Something answers /health/ before desktop_runtime's view does: a login middleware must honour login_not_required (Django 5.1+) or exempt the contract's paths " +
  "(/health/, /splash/, /desktop-auth/bootstrap/); an HTTPS or host redirect (SECURE_SSL_REDIRECT, PREPEND_WWW) must be off in the desktop settings.";

/** What to do about a start that failed: the redirect advice when /health/ was sent elsewhere. */
function startAdvice(error: unknown): string {
  const cause = error instanceof AppStartError ? error.cause : error;
  return cause instanceof HealthRedirectError ? HEALTH_REDIRECT_ADVICE : START_ADVICE;
}

/** Runs every check of the runtime contract against the project's backend; resolves with one result per check. */
export async function runContractChecks(options: ContractCheckOptions): Promise<CheckResult[]> {
  const { root, appDataDir, report = () => undefined, exitLimitMs = EXIT_LIMIT_MS, settleMs = SETTLE_MS, browser } = options;
  const results: CheckResult[] = [];
  const add = (result: CheckResult) => {
    results.push(result);
    report(result);
  };
  const before = root.bundleDir ? snapshotFolder(root.bundleDir) : undefined;
  const logFile = path.join(appDataDir, "logs", "backend.log");
  const workerLogFile = path.join(appDataDir, "logs", "worker.log");

  // --- First start: in this process, the way the shell starts it.
  const token = generateToken();
  const env = contractEnv(root, appDataDir, token);
  const startTitle = `the backend starts through the shell's supervisor (${root.layout}, ${root.settingsModule}) and answers /health/`;
  let app: RunningApp | undefined;
  let loginUrl: string | undefined;
  const unexpected: string[] = [];
  try {
    app = await startApp({
      python: root.python,
      managePy: root.managePy,
      env,
      token,
      logFile,
      workerLogFile,
      log: () => undefined,
      onUnexpectedExit: (exit) => unexpected.push(`Django exited with code ${exit.code} during the checks`),
    });
  } catch (error) {
    add({ title: startTitle, ok: false, problem: startFailure(error, logFile), advice: startAdvice(error) });
  }
  if (!app) {
    // Nothing to ask: list the checks that could not run, so the count stays the same.
    const notRun = (result: CheckResult): CheckResult => ({ title: result.title, ok: false, problem: "not run: the backend did not start" });
    for (const result of await checkHttpContract({ url: "http://127.0.0.1:1/", token, staticUrl: "/static/", browser })) add(notRun(result));
    add(notRun(checkDatabaseLocation(new Error("not run"), appDataDir)));
  } else {
    // Read after the start, so that the start is a real first run on a new app-data folder.
    let settings: ProjectSettings | Error;
    try {
      settings = readProjectSettings(root, env);
    } catch (error) {
      settings = error as Error;
    }
    loginUrl = settings instanceof Error ? undefined : settings.loginUrl;
    const target: HttpTarget = {
      url: app.backend.url,
      token,
      staticUrl: settings instanceof Error ? "/static/" : settings.staticUrl,
      debug: settings instanceof Error ? undefined : settings.debug,
      packaged: root.layout !== "development",
      loginUrl,
      browser,
    };
    // Ready means /health/'s own 200 and JSON, asked again here without the shell's readiness poll in between.
    const health = await checkHealth(target);
    add(health.ok ? { title: startTitle, ok: true } : { title: startTitle, ok: false, problem: `it started, but ${HEALTH_PATH}${health.problem?.startsWith("it ") ? ` ${health.problem.slice(3)}` : `: ${health.problem}`}`, advice: health.advice });
    await checkHttpContract(target, add);
    add(checkDatabaseLocation(settings, appDataDir));
    await app.stop();
    if (unexpected.length) add({ title: "Django kept running through the checks", ok: false, problem: unexpected.join("; "), advice: START_ADVICE });
  }

  // --- Second start on the same app data, in a separate supervisor that is then killed like a crashed shell.
  const secondTitle = "a second start on the same app data answers /health/ and the home page";
  const exitTitle = `killing the running shell (SIGKILL) closes stdin: Django and its workers exit within ${exitLimitMs / 1000} s and leave nothing running in their process groups`;
  let run: SupervisorRun | undefined;
  let readyAt = 0;
  try {
    const secondToken = generateToken();
    run = await startSupervisor({
      python: root.python,
      managePy: root.managePy,
      env: contractEnv(root, appDataDir, secondToken),
      token: secondToken,
      logFile,
      workerLogFile,
    });
    readyAt = Date.now();
    const target: HttpTarget = { url: run.ready.url, token: secondToken, staticUrl: "/", loginUrl };
    const health = await checkHealth(target);
    const home = await checkHomePage(target, await fetchHomePage(target).catch((error: Error) => error));
    const problems = [
      ...(health.ok ? [] : [`/health/: ${health.problem}`]),
      ...(home.ok ? [] : [`home page: ${home.problem}`]),
    ];
    add(
      problems.length
        ? {
            title: secondTitle,
            ok: false,
            problem: problems.join("; "),
            advice:
              health.advice === LOGIN_REDIRECT_ADVICE
                ? LOGIN_REDIRECT_ADVICE
                : "A start must migrate and seed only what is new: make data migrations and seeding idempotent (desktop_serve seeds a brand-new database once).",
          }
        : { title: secondTitle, ok: true },
    );
  } catch (error) {
    add({ title: secondTitle, ok: false, problem: startFailure(error, logFile), advice: startAdvice(error) });
  }
  if (run) {
    const { pids } = run.ready;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, readyAt + settleMs - Date.now())));
    run.child.kill("SIGKILL");
    const { ms, left } = await waitForSurvivors(pids, exitLimitMs);
    const count = `${pids.length} process${pids.length === 1 ? "" : "es"}`;
    if (left.length === 0 && ms <= exitLimitMs) add({ title: `${exitTitle} (${count}, ${ms} ms)`, ok: true });
    else {
      add({
        title: exitTitle,
        ok: false,
        problem: left.length ? `still running after ${ms} ms: pids ${left.join(", ")}` : `they took ${ms} ms`,
        advice:
          "Every backend process must call desktop_runtime.lifetime.exit_when_stdin_closes() at start (desktop_serve does; worker commands must too), and must not start processes that outlive it.",
      });
      for (const pid of [...pids, ...left]) killProcessTree(pid);
    }
  } else {
    add({ title: exitTitle, ok: false, problem: "not run: the second start failed", advice: START_ADVICE });
  }

  if (root.bundleDir && before) add(checkBundleHoldsNoSecrets(root.bundleDir, path.dirname(root.managePy), before));
  if (root.bundleDir && before) add(checkBundleUnchanged(root.bundleDir, before, snapshotFolder(root.bundleDir)));
  return results;
}

/**
 * One line per check: ✓ or ✗ and what was checked; a failure adds what was
 * seen and what to do next. Django's last lines after a failed start follow,
 * indented.
 */
export function formatResult(result: CheckResult): string {
  if (result.ok) return `✓ ${result.title}`;
  const [problem, ...more] = (result.problem ?? "failed").split("\n");
  return [`✗ ${result.title}: ${problem}${result.advice ? ` → ${result.advice}` : ""}`, ...more].join("\n");
}

export function summary(results: CheckResult[]): string {
  return `${results.filter((result) => result.ok).length} of ${results.length} checks held`;
}
