/**
 * How the stand-in runs a window's preload: as Electron runs a sandboxed one.
 *
 * The compiled preload runs in every top-level document the window shows,
 * before the page's own scripts, inside a closure the page cannot reach. Its
 * `require` gives only Electron's renderer modules (here: contextBridge and
 * ipcRenderer; anything else of Electron's is reported as missing), and any
 * other module fails as it does in a sandboxed preload, which fails the test.
 * `contextBridge.exposeInMainWorld` puts a frozen copy of the API on the
 * page's window; `ipcRenderer.invoke` reaches ipcMain.handle in the main
 * process through a Playwright binding, which reports the calling frame's
 * real URL. Electron's separate JavaScript world for the preload is not
 * reproduced: the closure keeps the preload's variables from the page.
 */

/** The script added to every new document of a window with a preload. */
export function preloadInitScript(preloadSource: string, invokeBinding: string, faultBinding: string): string {
  return `(() => {
  const invoke = globalThis[${JSON.stringify(invokeBinding)}];
  const fault = globalThis[${JSON.stringify(faultBinding)}];
  delete globalThis[${JSON.stringify(invokeBinding)}];
  delete globalThis[${JSON.stringify(faultBinding)}];
  // Electron runs a preload in the main frame only unless nodeIntegrationInSubFrames is on.
  if (window !== window.top) return;
  const report = (message) => { void fault(message); return new Error(message); };
  const strict = (object, name) => new Proxy(object, {
    get(target, property) {
      if (typeof property === "symbol" || property in target || property === "then" || property === "__esModule") return target[property];
      throw report("The Electron stand-in does not implement " + name + "." + String(property) + " in a preload.");
    },
  });
  const copy = (value) => {
    if (typeof value === "function") return (...args) => value(...args);
    if (value && typeof value === "object") {
      const out = Array.isArray(value) ? [] : {};
      for (const key of Object.keys(value)) out[key] = copy(value[key]);
      return Object.freeze(out);
    }
    return value;
  };
  const contextBridge = strict({
    exposeInMainWorld(key, api) {
      if (key in window) throw report("contextBridge.exposeInMainWorld: window." + key + " already exists; Electron refuses to bind over an existing property.");
      Object.defineProperty(window, key, { value: copy(api), enumerable: true, writable: false, configurable: false });
    },
  }, "contextBridge");
  const ipcRenderer = strict({
    invoke(channel, ...args) {
      return invoke(String(channel), args).then((reply) => {
        if (reply.ok) return reply.value;
        throw new Error("Error invoking remote method '" + channel + "': " + reply.message);
      });
    },
  }, "ipcRenderer");
  const electron = strict({ contextBridge, ipcRenderer }, "electron");
  const require = (id) => {
    if (id === "electron" || id === "electron/renderer") return electron;
    throw report("A sandboxed preload cannot require " + JSON.stringify(id) + ": only Electron's renderer modules are available (module not found: " + id + ").");
  };
  const module = { exports: {} };
  const process = strict({ platform: ${JSON.stringify(process.platform)}, type: "renderer", sandboxed: true, contextIsolated: true }, "process");
  try {
    (function (require, module, exports, process) {
${preloadSource}
    })(require, module, module.exports, process);
  } catch (error) {
    report("The preload threw: " + (error && error.stack || error));
  }
})();`;
}
