import type { MenuItemConstructorOptions } from "electron";
import { describe, expect, it } from "vitest";
import { menuTemplate } from "../src/menu";

const names = (items: MenuItemConstructorOptions[]) => items.map((item) => item.label ?? item.role);
const submenu = (item: MenuItemConstructorOptions | undefined) => (item?.submenu ?? []) as MenuItemConstructorOptions[];

describe("menuTemplate", () => {
  const noop = { checkForUpdates: () => {}, openAppDataFolder: () => {} };

  it("starts with the app menu on macOS", () => {
    expect(names(menuTemplate("darwin", noop))).toEqual(["appMenu", "File", "editMenu", "viewMenu", "windowMenu", "help"]);
  });

  it("has File, Edit, View, Window and Help on Windows and Linux, and File ends with Quit", () => {
    for (const platform of ["win32", "linux"] as const) {
      const menu = menuTemplate(platform, noop);
      expect(names(menu)).toEqual(["File", "editMenu", "viewMenu", "windowMenu", "help"]);
      expect(submenu(menu[0]).at(-1)?.role).toBe("quit");
    }
    expect(submenu(menuTemplate("darwin", noop)[1]).at(-1)?.role).toBe("close");
  });

  it("puts Check for Updates… and Open App Data Folder under Help, wired to the actions", () => {
    const calls: string[] = [];
    const menu = menuTemplate("linux", { checkForUpdates: () => calls.push("updates"), openAppDataFolder: () => calls.push("app data") });
    const help = submenu(menu.at(-1));
    expect(names(help)).toEqual(["Check for Updates…", "Open App Data Folder"]);
    for (const item of help) (item.click as () => void)();
    expect(calls).toEqual(["updates", "app data"]);
  });

  it("leaves Toggle Developer Tools out of a packaged app's View menu and keeps the rest", () => {
    for (const platform of ["darwin", "win32", "linux"] as const) {
      const development = menuTemplate(platform, noop);
      const packaged = menuTemplate(platform, noop, true);
      expect(names(development)).toContain("viewMenu");
      const view = packaged.find((item) => item.label === "View");
      const roles = submenu(view).map((item) => item.role);
      expect(roles).not.toContain("toggleDevTools");
      expect(roles).toEqual(expect.arrayContaining(["reload", "resetZoom", "zoomIn", "zoomOut", "togglefullscreen"]));
      expect(packaged.map((item) => item.role ?? item.label)).not.toContain("viewMenu");
    }
  });
});
