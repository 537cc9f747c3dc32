/**
 * Chapter 03: the same start as chapter 02, now locked down. Django requires a
 * per-session token that only this shell knows and sends; the window stays on
 * Django's origin; the page gets one narrow desktop capability.
 */
import path from "node:path";
import { app, BrowserWindow, dialog, session } from "electron";
import { startBackendOnFreePort, BackendStartError, type Backend } from "./backend";
import { watchTemplatesAndStatic } from "./devReload";
import { devPaths, type DevPaths } from "./paths";
import { ProjectLoadError, waitForHealth } from "./readiness";
import { denyAllPermissions, guardAllPages, injectToken, registerBridge } from "./security";
import { describeStartupFailure } from "./startupError";
import { splashUrl } from "./splash";
import { generateToken, originOf, TOKEN_HEADER } from "./token";

let backend: Backend | undefined;
let mainWindow: BrowserWindow | undefined;
let stopWatching: (() => Promise<void>) | undefined;
let firstStart = true;
// A new secret each launch; Django answers 403 to any request without it.
const token = generateToken();
// Django's origin once it serves. Every page the app creates stays on it; until then, pages go nowhere.
let appOrigin: string | undefined;
guardAllPages(() => appOrigin);

/** Spawns Django at once; a missing virtualenv becomes a rejected start, shown in the dialog later. */
function startDjango(): { paths?: DevPaths; logFile: string; backend: Promise<Backend> } {
  let paths: DevPaths;
  try {
    paths = devPaths();
  } catch (error) {
    return { logFile: "(Django was not started)", backend: Promise.reject(error) };
  }
  const logFile = path.join(paths.appDataDir, "logs", "backend.log");
  const starting = startBackendOnFreePort({
    python: paths.python,
    managePy: paths.managePy,
    env: {
      DJANGO_SETTINGS_MODULE: "desktop_django_starter.settings.dev",
      DESKTOP_DJANGO_HOST: "127.0.0.1",
      DESKTOP_DJANGO_APP_DATA_DIR: paths.appDataDir,
      DESKTOP_DJANGO_AUTH_TOKEN: token,
    },
    args: ["--reload"],
    logFile,
    onLine: (line) => console.log(`[django] ${line}`),
    onServing: () => {
      if (!firstStart) mainWindow?.webContents.reload();
      firstStart = false;
    },
  });
  return { paths, logFile, backend: starting };
}

// Spawn Django now, before app.whenReady(), so Python starts while Electron does.
const django = startDjango();
django.backend.catch(() => undefined);

function createMainWindow(url: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 760,
    title: "Flying Stable",
    show: false,
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      preload: path.join(__dirname, "preload.js"),
    },
  });
  window.once("ready-to-show", () => window.show());
  window.on("closed", () => (mainWindow = undefined));
  void window.loadURL(url);
  return window;
}

async function showStartupFailure(error: unknown, lines: string[]): Promise<void> {
  const failure = describeStartupFailure(error, lines, django.logFile);
  console.error(`${failure.title}: ${failure.message}\n${failure.detail}`);
  await dialog.showMessageBox({ type: "error", title: failure.title, message: failure.message, detail: failure.detail });
}

app.whenReady().then(async () => {
  // Before any window exists, so no page ever gets a permission.
  denyAllPermissions(session.defaultSession);
  // The splash is a data: URL of a local file: Django is not serving yet.
  const splash = new BrowserWindow({ width: 420, height: 320, frame: false, resizable: false, show: false });
  splash.once("ready-to-show", () => splash.show());
  if (django.paths) void splash.loadURL(splashUrl(django.paths.splashFile));

  try {
    backend = await django.backend;
    await waitForHealth(backend.url, { exited: backend.exited, headers: { [TOKEN_HEADER]: token } });
  } catch (error) {
    if (!(error instanceof ProjectLoadError && backend)) {
      // Hidden, not destroyed: destroying the last window fires window-all-closed, which would quit before the dialog shows.
      splash.hide();
      const failed = error instanceof BackendStartError ? error.backend : backend;
      await showStartupFailure(error, failed?.recentLines() ?? []);
      app.quit();
      return;
    }
    // Under --reload Django keeps running and serves its error page; once the fix is saved it serves again, and onServing reloads the window.
    console.error("Django cannot load the project; the window shows the error; save the fix and it reloads.");
  }
  const origin = originOf(backend.url);
  appOrigin = origin;
  injectToken(session.defaultSession, origin, token);
  registerBridge(origin, django.paths!.appDataDir);
  mainWindow = createMainWindow(backend.url);
  mainWindow.once("ready-to-show", () => splash.destroy());
  if (django.paths) {
    stopWatching = watchTemplatesAndStatic(django.paths.djangoDir, () => mainWindow?.webContents.reloadIgnoringCache());
  }

  // On macOS apps stay active with no window; clicking the dock icon opens one again.
  app.on("activate", () => {
    if (!mainWindow && backend) mainWindow = createMainWindow(backend.url);
  });
});

// Closing the last window quits on Windows and Linux, as users there expect.
app.on("window-all-closed", () => {
  if (process.platform !== "darwin") app.quit();
});

// Quitting waits for Django and its autoreload child to be gone.
app.on("will-quit", (event) => {
  const running = backend;
  if (!running) return;
  event.preventDefault();
  backend = undefined;
  void Promise.all([running.stop(), stopWatching?.()]).finally(() => app.quit());
});
