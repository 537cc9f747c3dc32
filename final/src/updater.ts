/**
 * The Electron side of updates: the action behind "Help > Check for Updates…",
 * electron-updater's `autoUpdater`, and the dialogs and progress bar of the
 * conversation in updateFlow.ts. The menu itself is built in menu.ts.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { app, BrowserWindow, dialog, Notification, type MessageBoxOptions } from "electron";
import type { AppUpdater } from "electron-updater";
import { createUpdateCheck, type UpdatePrompts } from "./updateFlow";
import project from "./project";

export interface UpdateCheckerOptions {
  /** Stops Django and its children; called right before the installer takes over. */
  stopBackend: () => Promise<void>;
}

/** The "Check for Updates…" action for the application menu (see menu.ts). */
export function updateChecker(options: UpdateCheckerOptions): () => Promise<unknown> {
  return createUpdateCheck({
    client: loadAutoUpdater,
    prompts: dialogPrompts(),
    currentVersion: app.getVersion(),
    isPackaged: app.isPackaged,
    // electron-builder writes the feed chosen at build time here (see scripts/updateFeed.ts).
    feedConfigured: app.isPackaged && existsSync(path.join(process.resourcesPath, "app-update.yml")),
    stopBackend: options.stopBackend,
  });
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
        message: `${project.productName} ${version} is available (you have ${currentVersion}). Download it now?`,
        detail: "The app keeps working while it downloads. Your data stays where it is.",
        buttons: ["Download", "Not Now"],
        defaultId: 0,
        cancelId: 1,
      })) === 0,
    showProgress: (percent) => {
      for (const window of BrowserWindow.getAllWindows()) {
        // The taskbar or dock icon shows the bar; -1 removes it.
        window.setProgressBar(percent === undefined ? -1 : percent / 100);
        window.setTitle(percent === undefined ? window.webContents.getTitle() : `${project.productName}: downloading update ${Math.round(percent)}%`);
      }
      if (percent === 0 && Notification.isSupported()) {
        new Notification({ title: "Downloading the update", body: `${project.productName} will ask before it restarts.` }).show();
      }
    },
    askToRestart: async (version) =>
      (await showMessage({
        type: "question",
        title: "Update ready",
        message: `${project.productName} ${version} is downloaded. Restart now to install it?`,
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
