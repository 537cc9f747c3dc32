/**
 * The complete app: chapter 06's shell, plus the optional background worker
 * (started by startApp() once Django is healthy), the application menu, one
 * instance at a time, the window's size and position remembered, and a
 * dialog that offers a restart when Django stops while the app is open.
 */
import path from "node:path";
import { app, BrowserWindow, dialog, Menu, session, shell } from "electron";
import { startApp, type RunningApp, type UnexpectedExit } from "./app";
import { contractEnv, resolveBackend, type BackendRoot } from "./backendRoot";
import { watchTemplatesAndStatic } from "./devReload";
import { menuTemplate } from "./menu";
import { offerRestart } from "./restart";
import { denyAllPermissions, guardAllPages, injectToken, registerBridge } from "./security";
import { describeAppStartFailure, describeUnexpectedExit } from "./startupError";
import { generateToken, originOf } from "./token";
import { updateChecker } from "./updater";
import { createMainWindow, createSplash } from "./windows";

// A second launch hands over to the first (see "second-instance") and quits before starting Django.
const primary = app.requestSingleInstanceLock();
if (!primary) app.quit();

let running: RunningApp | undefined;
let mainWindow: BrowserWindow | undefined;
let stopWatching: (() => Promise<void>) | undefined;
let firstStart = true;
// A new secret each launch; Django answers 403 to any request without it.
const token = generateToken();
// Django's origin once it serves. Every page the app creates stays on it; until then, pages go nowhere.
let appOrigin: string | undefined;
guardAllPages(() => appOrigin);

/**
 * Starts Django (and its worker) at once; a missing virtualenv or bundle becomes a rejected start, shown in the dialog later.
 * `port` is given on a restart, so the window's origin, its guards and the token stay valid.
 */
function startBackend(port?: number): { root?: BackendRoot; appDataDir: string; logFile: string; app: Promise<RunningApp> } {
  let root: BackendRoot;
  try {
    root = resolveBackend({ isPackaged: app.isPackaged, resourcesPath: process.resourcesPath });
  } catch (error) {
    return { appDataDir: app.getPath("userData"), logFile: "(Django was not started)", app: Promise.reject(error) };
  }
  // A bundle is read-only: its database, secret key and logs live in Electron's per-user folder.
  const appDataDir = root.devAppDataDir ?? app.getPath("userData");
  const logFile = path.join(appDataDir, "logs", "backend.log");
  const starting = startApp({
    python: root.python,
    managePy: root.managePy,
    env: contractEnv(root, appDataDir, token),
    token,
    // Autoreload is for development; the bundled backend is one process that never restarts itself.
    args: root.layout === "development" ? ["--reload"] : [],
    // A version that has not run on this database before backs it up first; Django then migrates it.
    currentVersion: app.getVersion(),
    logFile,
    workerLogFile: path.join(appDataDir, "logs", "worker.log"),
    onLine: (line) => console.log(`[django] ${line}`),
    // Also after an autoreload or a restart: the page reloads from the new process.
    onServing: () => {
      if (!firstStart) mainWindow?.webContents.reload();
      firstStart = false;
    },
    port,
    onUnexpectedExit: (exit) => void backendStopped(exit),
    // A project Django cannot load opens the window on its error page, as after any later edit; the worker waits for the fix.
    onProjectError: root.layout === "development" ? () => console.error("Django cannot load the project; the window shows the error; save the fix and it reloads.") : undefined,
  });
  return { root, appDataDir, logFile, app: starting };
}

// Spawn Django now, before app.whenReady(), so Python starts while Electron does.
const backend = primary ? startBackend() : undefined;
backend?.app.catch(() => undefined);
const openWindow = (url: string) =>
  createMainWindow({
    url,
    stateFile: path.join(backend?.appDataDir ?? app.getPath("userData"), "window-state.json"),
    isPackaged: app.isPackaged,
    onClosed: () => (mainWindow = undefined),
  });

/** Stops the worker, Django and the dev file watcher; on quit, and before an update is installed. */
async function stopBackend(): Promise<void> {
  const stopping = running;
  running = undefined;
  await Promise.all([stopping?.stop(), stopWatching?.()]);
}

const startupFailure = (error: unknown) => describeAppStartFailure(error, backend?.logFile ?? "");

async function showStartupFailure(error: unknown): Promise<void> {
  const failure = startupFailure(error);
  console.error(`${failure.title}: ${failure.message}\n${failure.detail}`);
  await dialog.showMessageBox({ type: "error", title: failure.title, message: failure.message, detail: failure.detail });
}

/**
 * Django stopped on its own while the app was open: say why, and offer Restart or Quit. Restart starts Django on the
 * same port, so the window's origin, its guards and the token stay valid.
 */
async function backendStopped(exit: UnexpectedExit): Promise<void> {
  running = undefined;
  const port = Number(new URL(exit.url).port);
  await offerRestart(describeUnexpectedExit(exit, backend?.logFile ?? "", backend?.root?.layout === "development"), {
    ask: async ({ title, message, detail }) =>
      (await dialog.showMessageBox({ type: "error", title, message, detail, buttons: ["Restart", "Quit"], defaultId: 0, cancelId: 1 })).response === 0 ? "restart" : "quit",
    restart: async () => void (running = await startBackend(port).app),
    describe: startupFailure,
    quit: () => app.quit(),
  });
}

// Someone launched the app again: show the window that is already open.
app.on("second-instance", () => {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
});

app.whenReady().then(async () => {
  if (!backend) return;
  // Before any window exists, so no page ever gets a permission.
  denyAllPermissions(session.defaultSession);
  const openAppDataFolder = () => void shell.openPath(backend.appDataDir);
  const checkForUpdates = updateChecker({ stopBackend });
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(process.platform, { checkForUpdates: () => void checkForUpdates(), openAppDataFolder }, app.isPackaged)));

  const splash = createSplash(backend.root?.splashFile, app.isPackaged);
  try {
    running = await backend.app;
  } catch (error) {
    // Hidden, not destroyed: destroying the last window fires window-all-closed, which would quit before the dialog shows.
    splash.hide();
    await showStartupFailure(error);
    app.quit();
    return;
  }
  const url = running.backend.url;
  const origin = originOf(url);
  appOrigin = origin;
  injectToken(session.defaultSession, origin, token);
  registerBridge(origin, backend.appDataDir);
  mainWindow = openWindow(url);
  mainWindow.once("ready-to-show", () => splash.destroy());
  if (backend.root?.layout === "development") {
    stopWatching = watchTemplatesAndStatic(backend.root.djangoDir, () => mainWindow?.webContents.reloadIgnoringCache());
  }

  // On macOS apps stay active with no window; clicking the dock icon opens one again.
  app.on("activate", () => {
    if (!mainWindow && running) mainWindow = openWindow(running.backend.url);
  });
});

// Closing the last window quits on Windows and Linux, as users there expect.
app.on("window-all-closed", () => {
  if (process.platform !== "darwin") app.quit();
});

// Quitting waits for the worker, Django and its autoreload child to be gone.
app.on("will-quit", (event) => {
  if (!running) return;
  event.preventDefault();
  void stopBackend().finally(() => app.quit());
});
