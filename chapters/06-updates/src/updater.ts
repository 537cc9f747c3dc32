/**
 * The Electron side of updates: the "Help > Check for Updates…" menu item,
 * electron-updater's `autoUpdater`, and the dialogs and progress bar of the
 * conversation in updateFlow.ts.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { app, BrowserWindow, dialog, Menu, Notification, type MenuItemConstructorOptions, type MessageBoxOptions } from "electron";
import type { AppUpdater } from "electron-updater";
import { createUpdateCheck, type UpdatePrompts } from "./updateFlow";

export interface UpdateMenuOptions {
  /** Stops Django and its children; called right before the installer takes over. */
  stopBackend: () => Promise<void>;
}

/** Replaces Electron's default menu with the same menus plus Help > Check for Updates…. */
export function installUpdateMenu(options: UpdateMenuOptions): void {
  const checkForUpdates = createUpdateCheck({
    client: loadAutoUpdater,
    prompts: dialogPrompts(),
    currentVersion: app.getVersion(),
    isPackaged: app.isPackaged,
    // electron-builder writes the feed chosen at build time here (see scripts/updateFeed.ts).
    feedConfigured: app.isPackaged && existsSync(path.join(process.resourcesPath, "app-update.yml")),
    stopBackend: options.stopBackend,
  });
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === "darwin" ? [{ role: "appMenu" as const }] : []),
    { role: "fileMenu" },
    { role: "editMenu" },
    { role: "viewMenu" },
    { role: "windowMenu" },
    { role: "help", submenu: [{ label: "Check for Updates…", click: () => void checkForUpdates() }] },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/**
 * electron-updater, loaded at the first check: it takes longer to load than
 * the rest of the shell (over 100 ms on a slow machine), and loaded with the
 * other modules it would delay Django's spawn by as much (main.ts spawns Django
 * as soon as its imports are loaded).
 */
function loadAutoUpdater(): AppUpdater {
  // A lazy require: `import()` would make the check asynchronous.
  return (require("electron-updater") as typeof import("electron-updater")).autoUpdater;
}

function showMessage(options: MessageBoxOptions): Promise<number> {
  const parent = BrowserWindow.getFocusedWindow();
  const shown = parent ? dialog.showMessageBox(parent, options) : dialog.showMessageBox(options);
  return shown.then((result) => result.response);
}

function dialogPrompts(): UpdatePrompts {
  return {
    askToDownload: async (version, currentVersion) =>
      (await showMessage({
        type: "question",
        title: "Update available",
        message: `Flying Stable ${version} is available (you have ${currentVersion}). Download it now?`,
        detail: "The app keeps working while it downloads. Your data stays where it is.",
        buttons: ["Download", "Not Now"],
        defaultId: 0,
        cancelId: 1,
      })) === 0,
    showProgress: (percent) => {
      for (const window of BrowserWindow.getAllWindows()) {
        // The taskbar or dock icon shows the bar; -1 removes it.
        window.setProgressBar(percent === undefined ? -1 : percent / 100);
        window.setTitle(percent === undefined ? window.webContents.getTitle() : `Flying Stable: downloading update ${Math.round(percent)}%`);
      }
      if (percent === 0 && Notification.isSupported()) {
        new Notification({ title: "Downloading the update", body: "Flying Stable will ask before it restarts." }).show();
      }
    },
    askToRestart: async (version) =>
      (await showMessage({
        type: "question",
        title: "Update ready",
        message: `Flying Stable ${version} is downloaded. Restart now to install it?`,
        detail: "The app stops its server, installs the update and starts again. Your data stays where it is.",
        buttons: ["Restart and Install", "Later"],
        defaultId: 0,
        cancelId: 1,
      })) === 0,
    tell: async (message, detail) => {
      await showMessage({ type: "info", title: "Check for Updates", message, detail, buttons: ["OK"] });
    },
  };
}
