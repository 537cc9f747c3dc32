/**
 * The application menu, per platform: the macOS app menu, then File, Edit,
 * View, Window and Help. Help holds the two desktop actions: Check for
 * Updates… and Open App Data Folder. A plain function, so tests can read it.
 */
import type { MenuItemConstructorOptions } from "electron";

export interface MenuActions {
  checkForUpdates: () => void;
  openAppDataFolder: () => void;
}

export function menuTemplate(platform: NodeJS.Platform, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = platform === "darwin";
  const openAppData: MenuItemConstructorOptions = { label: "Open App Data Folder", click: () => actions.openAppDataFolder() };
  return [
    // On macOS the first menu is the app's own: About, Hide, Quit.
    ...(mac ? [{ role: "appMenu" } as const] : []),
    { label: "File", submenu: [openAppData, { type: "separator" }, mac ? { role: "close" } : { role: "quit" }] },
    { role: "editMenu" },
    { role: "viewMenu" },
    { role: "windowMenu" },
    { role: "help", submenu: [{ label: "Check for Updates…", click: () => actions.checkForUpdates() }, openAppData] },
  ];
}
