/**
 * Runs one shell's compiled main process under plain Node with `electron`
 * resolved to the stand-in:
 *
 *   node --import tsx tests/electron-standin/host.ts <shell folder>
 *
 * The shell's package.json "main" (dist/main.js) is loaded unmodified.
 * Chromium: the one at ELECTRON_STANDIN_CDP (a test file shares one browser
 * between its shells), or a new one (the browser scripts/find-browser.ts finds).
 */
import Module, { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { onCommand, record, send } from "./channel.ts";
import * as electron from "./electron.ts";
import { launchOptions } from "./chromium.ts";
import { setFaultReporter, strict } from "./strict.ts";
import { installProbes } from "./probes.ts";

const appPath = path.resolve(process.argv[2] ?? ".");
const main = path.join(appPath, (JSON.parse(readFileSync(path.join(appPath, "package.json"), "utf8")) as { main?: string }).main ?? "index.js");

setFaultReporter((message) => {
  console.error(`[electron-standin] ${message}`);
  send({ type: "event", name: "fault", data: { message } });
});

electron.configure({
  appPath,
  openBrowser: () => {
    const endpoint = process.env.ELECTRON_STANDIN_CDP;
    return endpoint ? chromium.connectOverCDP(endpoint) : chromium.launch(launchOptions());
  },
});

// Electron's own process properties, as a shell reads them.
const electronDir = path.dirname(createRequire(path.join(appPath, "package.json")).resolve("electron/package.json"));
// ELECTRON_STANDIN_PACKAGED=1 with ELECTRON_STANDIN_RESOURCES (a folder holding backend/) runs a shell as its packaged app would.
Object.assign(process, { resourcesPath: process.env.ELECTRON_STANDIN_RESOURCES ?? path.join(electronDir, "dist", "resources"), type: "browser" });
process.argv = [process.execPath, appPath, ...process.argv.slice(3)];

// Electron prints an unhandled rejection in the main process and goes on; so does the stand-in, and the test sees it.
process.on("unhandledRejection", (reason) => {
  const message = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
  console.error(`[electron-standin] unhandled rejection in the main process: ${message}`);
  record("unhandled-rejection", { message });
});

const electronModule = strict(
  {
    app: electron.app,
    BrowserWindow: electron.BrowserWindow,
    dialog: electron.dialog,
    ipcMain: electron.ipcMain,
    Menu: electron.Menu,
    Notification: electron.Notification,
    protocol: electron.protocol,
    screen: electron.screen,
    session: electron.session,
    shell: electron.shell,
  },
  "electron",
);

const moduleInternals = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
const load = moduleInternals._load;
// Large modules a shell should load only once Django is on its way; the first load of each is an event.
const WATCHED_MODULES = new Set(["electron-updater"]);
moduleInternals._load = function (request, parent, isMain) {
  if (request === "electron" || request === "electron/main") return electronModule;
  if (WATCHED_MODULES.delete(request)) record("module-load", { request });
  return load.call(this, request, parent, isMain);
};

// Electron quits on SIGINT and SIGTERM, through the same quit sequence; so does the stand-in, and when the test that launched it goes away.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => electron.app.quit());
process.on("disconnect", () => electron.app.quit());

// A test can run a function here, with the stand-in's records and the shell's windows at hand.
onCommand(async (source, arg) => {
  const fn = new Function(`return (${source});`)() as (context: unknown, arg: unknown) => unknown;
  return fn({ electron: electronModule, standin: electron.standin }, arg);
});

// Spawns, Django's SERVING line and the readiness poll, as events: the benchmark's breakdown of the path to Django healthy.
installProbes();

// `at`: when the shell's main.js starts loading; the benchmark counts from here to first paint.
// `cpuMs`: the CPU this process used before it (Node, tsx, Playwright, the stand-in), so the benchmark can count the shell's own.
const cpu = process.cpuUsage();
record("host-started", { pid: process.pid, main: path.relative(appPath, main), at: Date.now(), cpuMs: (cpu.user + cpu.system) / 1000 });
createRequire(fileURLToPath(import.meta.url))(main);
