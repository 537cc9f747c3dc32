/**
 * The app's two windows. The splash shows while Django starts. The main
 * window is placed where it was last time (on a screen that still exists),
 * sandboxed with the one preload bridge, developer tools only in development,
 * and its size and position are saved when it closes.
 */
import path from "node:path";
import { BrowserWindow, screen } from "electron";
import project from "./project";
import { splashUrl } from "./splash";
import { loadWindowState, placeOnScreen, saveWindowState } from "./windowState";

export interface MainWindowOptions {
  url: string;
  /** Where the window's size and position are kept between launches. */
  stateFile: string;
  isPackaged: boolean;
  onClosed: () => void;
}

export function createMainWindow({ url, stateFile, isPackaged, onClosed }: MainWindowOptions): BrowserWindow {
  const displays = screen.getAllDisplays().map((display) => display.workArea);
  const state = placeOnScreen(loadWindowState(stateFile), displays);
  const window = new BrowserWindow({
    ...state,
    minWidth: 480,
    minHeight: 360,
    title: project.productName,
    show: false,
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      preload: path.join(__dirname, "preload.js"),
      // Developer tools are for development; a packaged app does not open them.
      devTools: !isPackaged,
    },
  });
  if (state.maximized) window.maximize();
  window.once("ready-to-show", () => window.show());
  // Remember where the window was, for the next launch.
  window.on("close", () => saveWindowState(stateFile, { ...window.getNormalBounds(), maximized: window.isMaximized() }));
  window.on("closed", onClosed);
  void window.loadURL(url);
  return window;
}

/** A small frameless window on the splash page, a data: URL of a local file since Django is not serving yet. */
export function createSplash(splashFile: string | undefined, isPackaged: boolean): BrowserWindow {
  const splash = new BrowserWindow({ width: 420, height: 320, frame: false, resizable: false, show: false, webPreferences: { devTools: !isPackaged } });
  splash.once("ready-to-show", () => splash.show());
  if (splashFile) void splash.loadURL(splashUrl(splashFile));
  return splash;
}
