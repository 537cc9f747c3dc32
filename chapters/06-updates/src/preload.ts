/**
 * The preload bridge: the one desktop capability the page may use. The page
 * sees `window.desktop.openAppDataFolder()` and nothing else of Electron.
 */
import { contextBridge, ipcRenderer } from "electron";

// Sandboxed preloads cannot import local modules, so the channel name is spelled out here and in security.ts.
contextBridge.exposeInMainWorld("desktop", {
  openAppDataFolder: (): Promise<string> => ipcRenderer.invoke("desktop:open-app-data-folder"),
});
