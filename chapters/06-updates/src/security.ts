/**
 * The Electron side of chapter 03, kept thin: it applies the decisions made in
 * token.ts and guards.ts to a session and a window, and registers the one IPC
 * handler behind the preload bridge.
 */
import { ipcMain, shell, type BrowserWindow, type Session } from "electron";
import { decideNavigation, decideWindowOpen, isSameOrigin } from "./guards";
import { requestFilterFor, withToken } from "./token";

/** Adds the token header to requests for Django's origin, and to no other. */
export function injectToken(session: Session, origin: string, token: string): void {
  session.webRequest.onBeforeSendHeaders(requestFilterFor(origin), (details, callback) => {
    callback({ requestHeaders: withToken(details.url, details.requestHeaders, origin, token) });
  });
  // The page needs no camera, microphone, notifications or other permissions.
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
}

/** Keeps a window on Django's origin; other http(s) links open in the system browser. */
export function guardWindow(window: BrowserWindow, origin: string): void {
  window.webContents.on("will-navigate", (event, url) => {
    if (decideNavigation(url, origin) === "deny") event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (decideWindowOpen(url, origin) === "open-externally") void shell.openExternal(url);
    return { action: "deny" };
  });
}

export const OPEN_APP_DATA_FOLDER = "desktop:open-app-data-folder";

/** The handler behind `window.desktop.openAppDataFolder()`; it answers only pages from Django's origin. */
export function registerBridge(origin: string, appDataDir: string): void {
  ipcMain.handle(OPEN_APP_DATA_FOLDER, async (event) => {
    if (!isSameOrigin(event.senderFrame?.url, origin)) throw new Error("Refused: the request did not come from the app's own pages.");
    return shell.openPath(appDataDir);
  });
}
