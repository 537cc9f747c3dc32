/**
 * The application menu, per platform: the macOS app menu, then File, Edit,
 * View, Window and Help. Help holds the two desktop actions: Check for
 * Updates… and Open App Data Folder. A packaged app's View menu leaves out
 * Toggle Developer Tools. A plain function, so tests can read it.
 */
import type { MenuItemConstructorOptions } from "electron";

export interface MenuActions {
  checkForUpdates: () => void;
  openAppDataFolder: () => void;
}

/** Electron's View menu without Toggle Developer Tools: what a packaged app shows. */
const VIEW_WITHOUT_DEVTOOLS: MenuItemConstructorOptions = {
  label: "View",
  submenu: [
    { role: "reload" },
    { role: "forceReload" },
    { type: "separator" },
    { role: "resetZoom" },
    { role: "zoomIn" },
    { role: "zoomOut" },
    { type: "separator" },
    { role: "togglefullscreen" },
  ],
};

/** `packaged` is `app.isPackaged`: a packaged app has no developer tools, so its View menu does not offer them. */
export function menuTemplate(platform: NodeJS.Platform, actions: MenuActions, packaged = false): MenuItemConstructorOptions[] {
  const mac = platform === "darwin";
  const openAppData: MenuItemConstructorOptions = { label: "Open App Data Folder", click: () => actions.openAppDataFolder() };
  return [
    // On macOS the first menu is the app's own: About, Hide, Quit.
    ...(mac ? [{ role: "appMenu" } as const] : []),
    { label: "File", submenu: [openAppData, { type: "separator" }, mac ? { role: "close" } : { role: "quit" }] },
    { role: "editMenu" },
    packaged ? VIEW_WITHOUT_DEVTOOLS : { role: "viewMenu" },
    { role: "windowMenu" },
    { role: "help", submenu: [{ label: "Check for Updates…", click: () => actions.checkForUpdates() }, openAppData] },
  ];
}
