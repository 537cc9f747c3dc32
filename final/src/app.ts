/**
 * The whole backend start, in one place for every caller: the Electron main
 * process, `npm run backend` (no Electron) and the tests. Django starts on a
 * free port with a fresh token; once /health/ answers, each worker that an
 * installed Django app declared is started and supervised. If Django later
 * exits on its own (a crash: in development a typo does not end it), the
 * workers are stopped and onUnexpectedExit says so. In development, a project
 * Django cannot load at the start need not fail it (onProjectError): Django
 * serves its error page, and the workers start once the fix is saved.
 */
import { startBackendOnFreePort, BackendStartError, type Backend, type ServingInfo } from "./backend";
import { startBackendWithBackup, type UpgradeBackup } from "./backup";
import { ProjectLoadError, waitForHealth, type HealthOptions } from "./readiness";
import { TOKEN_HEADER } from "./token";
import { superviseWorker, workerStatusFile, type SupervisedWorker } from "./worker";

export interface AppOptions {
  python: string;
  managePy: string;
  /** The contract's variables except the port (chosen here) and the token (passed separately). */
  env: Record<string, string>;
  token: string;
  /** Extra desktop_serve arguments, `--reload` in development. */
  args?: string[];
  /** The app's version. Given, a version that has not run on this database yet backs it up before Django migrates (backup.ts). */
  currentVersion?: string;
  logFile?: string;
  workerLogFile?: string;
  onLine?: (line: string) => void;
  onServing?: (info: ServingInfo) => void;
  log?: (message: string) => void;
  /** Serve on exactly this port, e.g. to restart on the port the window already uses. Default: a free port. */
  port?: number;
  /** Django exited while running, not through stop(). Called after the workers have been stopped. */
  onUnexpectedExit?: (exit: UnexpectedExit) => void;
  /**
   * Under `--reload` only: given, a project Django cannot load (a typo in settings, a model, the URLconf) does not
   * fail the start. startApp calls this and resolves with Django serving its error page; the workers start once the
   * fix is saved and /health/ answers 200. Not given, that start fails like any other.
   */
  onProjectError?: (error: ProjectLoadError) => void;
}

export interface UnexpectedExit {
  /** Django's exit code; null when a signal ended it. */
  code: number | null;
  recentLines: string[];
  /** The URL it was serving, so a restart can keep the port (and the window's origin). */
  url: string;
}

export interface RunningApp {
  backend: Backend;
  /** Empty until /health/ has answered 200: after onProjectError, until the fix is saved. */
  workers: SupervisedWorker[];
  /** Opens the app in any browser: sets the token cookie, then shows the app's home page. */
  bootstrapUrl: string;
  /** The copy of the database taken before this version's first migrations, if this start took or reused one. */
  backup?: UpgradeBackup;
  stop(): Promise<void>;
}

/** The start failed; carries Django's last lines for the error dialog. */
export class AppStartError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly recentLines: string[],
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export function bootstrapUrl(baseUrl: string, token: string, next = "/"): string {
  const url = new URL("desktop-auth/bootstrap/", baseUrl);
  url.search = new URLSearchParams({ token, next }).toString();
  return url.href;
}

export async function startApp(options: AppOptions): Promise<RunningApp> {
  const env: Record<string, string> = { ...options.env, DESKTOP_DJANGO_AUTH_TOKEN: options.token };
  // The workers Django declares, from its latest SERVING line: after a fixed project, that of the process that loaded it.
  let serving: ServingInfo | undefined;
  const fixedPort = options.port;
  const start = () =>
    startBackendOnFreePort(
      {
        python: options.python,
        managePy: options.managePy,
        env,
        args: options.args ?? [],
        logFile: options.logFile,
        onLine: options.onLine,
        onServing: (info) => {
          serving = info;
          options.onServing?.(info);
        },
      },
      fixedPort === undefined ? { log: options.log } : { log: options.log, attempts: 1, choosePort: async () => fixedPort },
    );
  let backend: Backend;
  let backup: UpgradeBackup | undefined;
  try {
    ({ backend, backup } = options.currentVersion
      ? await startBackendWithBackup({ appDataDir: env.DESKTOP_DJANGO_APP_DATA_DIR ?? "", currentVersion: options.currentVersion, python: options.python, start })
      : { backend: await start() });
  } catch (error) {
    throw new AppStartError(error, error instanceof BackendStartError ? error.backend.recentLines() : []);
  }
  const health: HealthOptions = { exited: backend.exited, headers: { [TOKEN_HEADER]: options.token } };
  let fixed: Promise<void> | undefined;
  try {
    await waitForHealth(backend.url, health);
  } catch (error) {
    if (!(error instanceof ProjectLoadError && options.onProjectError)) {
      await backend.stop();
      throw new AppStartError(error, backend.recentLines());
    }
    options.onProjectError(error);
    // Django restarts once the broken file is saved: the wait goes on through its error page.
    fixed = waitForHealth(backend.url, { ...health, onProjectError: () => undefined });
  }
  const appDataDir = env.DESKTOP_DJANGO_APP_DATA_DIR;
  const startWorker = (command: string) =>
    superviseWorker({
      python: options.python,
      managePy: options.managePy,
      command,
      env,
      logFile: options.workerLogFile,
      // A page of the project reads it (desktop_runtime/workers.py) to say that the worker stopped.
      statusFile: appDataDir ? workerStatusFile(appDataDir, command) : undefined,
      onLine: options.onLine,
      log: options.log,
    });
  const workers: SupervisedWorker[] = [];
  let stopping = false;
  const startWorkers = () => {
    if (!stopping) workers.push(...(serving?.workers ?? []).map(startWorker));
  };
  // Django exiting, or stop(), while it waits for the fix ends the wait without workers; an exit is reported below.
  if (fixed) void fixed.then(startWorkers, () => undefined);
  else startWorkers();
  void backend.exited.then(async (code) => {
    if (stopping) return;
    await Promise.all(workers.map((worker) => worker.stop()));
    options.onUnexpectedExit?.({ code, recentLines: backend.recentLines(), url: backend.url });
  });
  return {
    backend,
    workers,
    bootstrapUrl: bootstrapUrl(backend.url, options.token),
    ...(backup ? { backup } : {}),
    stop: async () => {
      stopping = true;
      await Promise.all(workers.map((worker) => worker.stop()));
      await backend.stop();
    },
  };
}
