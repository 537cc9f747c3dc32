/**
 * Chapter 01: Electron starts Django's development server, waits until it
 * answers, and opens a window on it. Edits reload; quitting stops Django.
 */
import { app, BrowserWindow } from "electron";
import { startBackend, type Backend } from "./backend";
import { watchTemplatesAndStatic } from "./devReload";
import { devPaths } from "./paths";
import { waitUntilAnswering } from "./readiness";

// A fixed port is the simplest thing that works, until something else uses it (chapter 02).
const DJANGO_PORT = 8000;

let backend: Backend | undefined;
let mainWindow: BrowserWindow | undefined;
let stopWatching: (() => Promise<void>) | undefined;

function createWindow(url: string): void {
  mainWindow = new BrowserWindow({ width: 1100, height: 760, title: "Flying Stable" });
  mainWindow.on("closed", () => (mainWindow = undefined));
  void mainWindow.loadURL(url);
}

app.whenReady().then(async () => {
  const paths = devPaths();
  let firstStart = true;
  backend = startBackend({
    python: paths.python,
    managePy: paths.managePy,
    port: DJANGO_PORT,
    env: { DJANGO_SETTINGS_MODULE: "desktop_django_starter.settings.dev", DESKTOP_DJANGO_HOST: "127.0.0.1" },
    // Django's autoreloader restarts the server after a Python edit.
    args: ["--reload"],
    onLine: (line) => console.log(`[django] ${line}`),
    // After a restart the page may be stale: reload once Django serves again.
    onServing: () => {
      if (!firstStart) mainWindow?.webContents.reload();
      firstStart = false;
    },
  });
  await waitUntilAnswering(backend.url);
  createWindow(backend.url);
  stopWatching = watchTemplatesAndStatic(paths.djangoDir, () => mainWindow?.webContents.reloadIgnoringCache());

  // On macOS apps stay active with no window; clicking the dock icon opens one again.
  app.on("activate", () => {
    if (!mainWindow && backend) createWindow(backend.url);
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
