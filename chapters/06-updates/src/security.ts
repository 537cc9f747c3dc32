/**
 * The Electron side of chapter 03, kept thin: it applies the decisions made in
 * token.ts and guards.ts to the session and to every page the app creates,
 * and registers the one IPC handler behind the preload bridge.
 */
import { app, ipcMain, shell, type Session, type WebContents } from "electron";
import { decideNavigation, decideWindowOpen, externalLinkLimiter, isSameOrigin } from "./guards";
import { requestFilterFor, withToken } from "./token";

/** Adds the token header to requests for Django's origin, and to no other. */
export function injectToken(session: Session, origin: string, token: string): void {
  session.webRequest.onBeforeSendHeaders(requestFilterFor(origin), (details, callback) => {
    callback({ requestHeaders: withToken(details.url, details.requestHeaders, origin, token) });
  });
}

/** The pages need no camera, microphone, notifications or other permissions: refuse every request and every check. */
export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/**
 * Applies the navigation and window rules to every page the app creates (the
 * splash, the main window, any other) from the moment it exists. `appOrigin`
 * returns Django's origin once it serves; before that, no navigation is allowed.
 */
export function guardAllPages(appOrigin: () => string | undefined): void {
  app.on("web-contents-created", (_event, contents) => guardPage(contents, appOrigin));
}

/** Keeps a page on Django's origin, in every frame and through redirects; other http(s) links open in the system browser. */
export function guardPage(contents: WebContents, appOrigin: () => string | undefined): void {
  const stayOnOrigin = (event: { preventDefault(): void }, url: string) => {
    if (decideNavigation(url, appOrigin()) === "deny") event.preventDefault();
  };
  contents.on("will-navigate", (event, url) => stayOnOrigin(event, url));
  contents.on("will-redirect", (event, url) => stayOnOrigin(event, url));
  contents.on("will-frame-navigate", (details) => stayOnOrigin(details, details.url));
  const links = externalLinkLimiter();
  contents.on("input-event", (_event, input) => links.noteInput(input.type));
  contents.setWindowOpenHandler(({ url }) => {
    if (decideWindowOpen(url, appOrigin()) === "open-externally" && links.mayOpen()) void shell.openExternal(url);
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
