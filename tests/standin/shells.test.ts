/**
 * Every shell's compiled main process (chapters 01-06 and final/), run under
 * Node with the Electron stand-in (tests/electron-standin/), against the real
 * Django and real Chromium pages: the lifecycle each chapter teaches, checked
 * through the shell's own code. What only real Electron proves is in
 * docs/reference/testing-without-electron.md.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { isRunning, repoRoot, SharedChromium, ShellProcess } from "../electron-standin/harness.ts";
import { ensureBuilt } from "./build.ts";

const TOKEN = "x-desktop-django-token";

const SHELLS = [
  { dir: "chapters/01-dev-loop", step: 1 },
  { dir: "chapters/02-health-and-port", step: 2 },
  { dir: "chapters/03-token", step: 3 },
  { dir: "chapters/04-bundled-python", step: 4 },
  { dir: "chapters/05-packaging", step: 5 },
  { dir: "chapters/06-updates", step: 6 },
  { dir: "final", step: 7 },
] as const;

/** Another origin on this machine, which records what reached it. */
interface OtherOrigin {
  url: string;
  seen: Array<{ path: string; headers: IncomingHttpHeaders }>;
  server: Server;
}

async function otherOrigin(): Promise<OtherOrigin> {
  const seen: OtherOrigin["seen"] = [];
  const server = createServer((request, response) => {
    seen.push({ path: request.url ?? "", headers: request.headers });
    response.setHeader("content-type", "text/html");
    response.end("<title>Another site</title><h1>Another site</h1>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, seen, server };
}

let chromium: SharedChromium;
let other: OtherOrigin;
const scratch: string[] = [];

function tempUserData(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "standin-userdata-"));
  scratch.push(dir);
  return dir;
}

beforeAll(async () => {
  chromium = await SharedChromium.start();
  other = await otherOrigin();
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  other?.server.close();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

const isDjango = (url: string) => /^http:\/\/127\.0\.0\.1:\d+\/$/.test(url);

/** Closes the main window the way a user does and checks the app quits with nothing left running. */
async function closeAndCheckNothingLeft(app: ShellProcess, windowId: number): Promise<void> {
  const processes = app.descendants();
  expect(processes.length, "Django runs as a child of the shell").toBeGreaterThan(0);
  await app.evaluate(({ standin }, id) => standin.windows().find((window) => window.id === id)!.close(), windowId);
  // On macOS an app stays open without windows (the shells follow that); Cmd+Q is app.quit().
  if (process.platform === "darwin") await app.evaluate(({ electron }) => (electron.app as { quit: () => void }).quit());
  const { code } = await app.exited;
  expect(code, app.tail()).toBe(0);
  await expect.poll(() => processes.filter(isRunning), { timeout: 10_000 }).toEqual([]);
}

async function heading(page: Page): Promise<string> {
  const h1 = page.locator("h1").first();
  await h1.waitFor({ timeout: 30_000 });
  return (await h1.textContent())!.trim();
}

// The stand-in's single-instance lock is a Unix socket and its process checks use `ps`: macOS and Linux.
const posix = process.platform !== "win32";
if (!posix) console.log("Skipping the stand-in tests of the shells: the stand-in runs on macOS and Linux; Windows is covered by the real-Electron suites.");

for (const shell of posix ? SHELLS : []) {
  const shellDir = path.join(repoRoot, shell.dir);

  describe(`${shell.dir}: the compiled main process under the stand-in`, () => {
    let app: ShellProcess;
    let mainWindow: number;
    let page: Page;
    let origin: string;

    beforeAll(() => {
      ensureBuilt(shellDir);
      app = ShellProcess.launch(shellDir, chromium, { userData: tempUserData() });
    }, 120_000);

    afterEach(() => {
      expect(app.faults(), "the shell used something the stand-in lacks, or its preload failed").toEqual([]);
    });

    afterAll(async () => {
      await app?.kill();
    });

    it(shell.step >= 2 ? "shows the splash, starts Django, and shows the app once it answers" : "starts Django and shows the app in a window", async () => {
      if (shell.step >= 2) {
        const splash = await app.event("window-created", (data) => (data.options as { frame?: boolean }).frame === false);
        const splashId = Number(splash.data.window);
        await app.event("window-shown", (data) => data.window === splashId);
        const splashLoad = await app.event("did-finish-load", (data) => data.window === splashId);
        expect(String(splashLoad.data.title)).toMatch(/Flying Stable|Starting/i);
      }
      mainWindow = await app.windowLoading(isDjango, 90_000);
      await app.event("window-shown", (data) => data.window === mainWindow, 60_000);
      page = await app.page(mainWindow);
      origin = new URL(page.url()).origin;
      expect(await heading(page)).toBe("My Ponies");
      const served = app.serving();
      expect(served.length).toBeGreaterThan(0);
      expect(new URL(served.at(-1)!.url).origin).toBe(origin);
      if (shell.step >= 2) {
        // The splash goes once the app's window is ready.
        await app.event("window-closed", (data) => data.window !== mainWindow);
        expect(await app.evaluate(({ standin }) => standin.windows().length)).toBe(1);
      }
    }, 120_000);

    it("spawns Django before it loads what starting Django does not need (electron-updater loads at the first update check)", async () => {
      const spawn = await app.event("spawn", (data) => (data.args as string[]).includes("desktop_serve"));
      const spawned = app.events.indexOf(spawn);
      const updater = app.events.findIndex((event) => event.name === "module-load" && event.data.request === "electron-updater");
      if (updater >= 0) expect(updater, "electron-updater loaded before Django was spawned").toBeGreaterThan(spawned);
    });

    if (shell.step >= 2) {
      it("shows the app only after /health/ answered 200 (each poll is a probe event, which the bench's breakdown reads)", () => {
        const healthy = app.events.findIndex((event) => event.name === "health-poll" && event.data.status === 200);
        const shown = app.events.findIndex((event) => event.name === "loadURL" && isDjango(String(event.data.url)));
        expect(healthy, "no GET /health/ answered 200 through the shell's readiness poll").toBeGreaterThanOrEqual(0);
        expect(healthy).toBeLessThan(shown);
      });
    }

    if (shell.step >= 3) {
      it("sends the token only through its own listener: without it Django answers 403; every page request and subresource carries it; other origins never see it", async () => {
        expect((await fetch(`${origin}/`)).status).toBe(403);
        const registered = app.eventsNamed("webRequest.onBeforeSendHeaders").at(-1);
        expect(registered?.data.urls).toEqual([`${origin}/*`]);

        const statuses: Array<[string, number]> = [];
        page.on("response", (response) => {
          if (response.url().startsWith(origin)) statuses.push([response.url(), response.status()]);
        });
        // A same-origin link: will-navigate allows it, and the new page and its subresources load.
        await page.getByRole("link", { name: "Add pony" }).first().click();
        await page.waitForURL(`${origin}/**`);
        expect(await heading(page)).toBe("A new pony");
        await page.waitForLoadState("load");
        expect(statuses.length, "the page and its stylesheet and scripts").toBeGreaterThan(2);
        expect(statuses.filter(([, status]) => status >= 400)).toEqual([]);

        // Another origin's page in the same window (loaded by the shell's own loadURL, as the bridge
        // test below does): its requests never pass the listener, so they never carry the token.
        // Django's pages could not ask: their Content Security Policy refuses other origins.
        const before = other.seen.length;
        await app.evaluate(({ standin }, { id, url }) => standin.windows().find((window) => window.id === id)!.loadURL(url), { id: mainWindow, url: other.url });
        await page.evaluate(() => fetch("/from-the-page").then(() => undefined));
        const seen = other.seen.slice(before);
        expect(seen.map((one) => one.path)).toContain("/from-the-page");
        for (const one of seen) expect(one.headers[TOKEN], one.path).toBeUndefined();
        await app.evaluate(({ standin }, { id, url }) => standin.windows().find((window) => window.id === id)!.loadURL(url), { id: mainWindow, url: `${origin}/` });
      }, 60_000);

      it("keeps the window on Django's origin: a link elsewhere does not navigate, a new-window link goes to openExternal", async () => {
        const before = other.seen.length;
        const here = page.url();
        await page.evaluate((url) => {
          document.body.insertAdjacentHTML("beforeend", `<a id="standin-away" href="${url}away">away</a><a id="standin-blank" target="_blank" href="${url}blank">blank</a>`);
        }, other.url);
        await page.click("#standin-away");
        await app.event("navigation-prevented", (data) => data.url === `${other.url}away`);
        expect(page.url()).toBe(here);
        expect(other.seen.slice(before).map((one) => one.path)).not.toContain("/away");

        await page.click("#standin-blank");
        await app.event("shell.openExternal", (data) => data.url === `${other.url}blank`);
        expect(app.eventsNamed("window-open").at(-1)?.data.action).toBe("deny");
        await expect.poll(() => page.context().pages().filter((one) => one.url().startsWith(other.url)).length).toBe(0);
        expect(await app.evaluate(({ standin }) => standin.windows().length)).toBe(1);
        expect(page.url()).toBe(here);
      }, 60_000);

      it("exposes one bridge call: the page's button reaches the handler, a page from another origin is refused", async () => {
        expect(await page.evaluate(() => Object.keys((window as unknown as { desktop: object }).desktop))).toEqual(["openAppDataFolder"]);
        expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe("undefined");
        await page.getByRole("button", { name: "Open App Data Folder" }).click();
        const opened = await app.event("shell.openPath");
        expect(opened.data.exists).toBe(true);
        expect(app.eventsNamed("ipc-invoke").at(-1)?.data.senderUrl).toBe(page.url());

        // The same window showing another origin (the preload runs there too): the handler refuses.
        await app.evaluate(({ standin }, { id, url }) => standin.windows().find((window) => window.id === id)!.loadURL(url), { id: mainWindow, url: other.url });
        expect(await heading(page)).toBe("Another site");
        const refused = await page.evaluate(() =>
          (window as unknown as { desktop: { openAppDataFolder: () => Promise<string> } }).desktop.openAppDataFolder().then(
            () => "allowed",
            (error: Error) => error.message,
          ),
        );
        expect(refused).toMatch(/Refused/);
        expect(app.eventsNamed("shell.openPath")).toHaveLength(1);
      }, 60_000);
    }

    it("quits when its window closes, and stops Django (and its children) with it", async () => {
      await closeAndCheckNothingLeft(app, mainWindow);
    }, 60_000);
  });

  if (shell.step >= 2) {
    describe(`${shell.dir}: a Django that cannot start`, () => {
      let app: ShellProcess;
      afterAll(async () => {
        await app?.kill();
      });

      it("shows the startup dialog with the log's last lines, and quits only once it is answered", async () => {
        ensureBuilt(shellDir);
        // A PYTHONHOME that points nowhere stops the interpreter before Django loads.
        app = ShellProcess.launch(shellDir, chromium, { userData: tempUserData(), env: { PYTHONHOME: path.join(os.tmpdir(), "no-such-python-home") } });
        const dialog = await app.nextDialog(0, 90_000);
        expect(dialog.options.type).toBe("error");
        expect(dialog.options.message).toMatch(/Django stopped while starting/);
        expect(dialog.options.detail).toMatch(/encodings|Python path configuration|PYTHONHOME/);
        // The dialog waits for the user; the app must not quit under it.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect(app.child.exitCode).toBeNull();
        expect(app.eventsNamed("window-created").length).toBe(1);
        app.answerDialog(dialog, 0);
        expect((await app.exited).code).toBe(0);
        expect(app.faults()).toEqual([]);
      }, 120_000);
    });
  }
}

describe.skipIf(!posix)("final: the complete app's own lifecycle", () => {
  const shellDir = path.join(repoRoot, "final");
  const stateFile = path.join(repoRoot, "django", ".dev-data", "window-state.json");
  let savedState: string | undefined;
  let app: ShellProcess;
  let userData: string;
  let mainWindow: number;
  let page: Page;

  beforeAll(() => {
    ensureBuilt(shellDir);
    // The development layout keeps window-state.json in django/.dev-data: put back whatever a developer had.
    savedState = existsSync(stateFile) ? readFileSync(stateFile, "utf8") : undefined;
    writeFileSync(stateFile, JSON.stringify({ x: 140, y: 90, width: 1000, height: 700, maximized: false }));
    userData = tempUserData();
    app = ShellProcess.launch(shellDir, chromium, { userData });
  });

  afterEach(() => {
    expect(app.faults()).toEqual([]);
  });

  afterAll(async () => {
    await app?.kill();
    if (savedState === undefined) rmSync(stateFile, { force: true });
    else writeFileSync(stateFile, savedState);
  });

  it("opens the window where it was last closed", async () => {
    mainWindow = await app.windowLoading(isDjango, 90_000);
    const created = app.eventsNamed("window-created").find((event) => event.data.window === mainWindow)!;
    expect(created.data.options).toMatchObject({ x: 140, y: 90, width: 1000, height: 700 });
    page = await app.page(mainWindow);
    expect(await heading(page)).toBe("My Ponies");
    expect(await page.evaluate(() => [window.innerWidth, window.innerHeight])).toEqual([1000, 700]);
  }, 120_000);

  it("starts the background worker after Django is healthy", async () => {
    const workers = app.serving().at(-1)!.workers;
    expect(workers).toContain("run_routines");
    await expect.poll(() => app.output.some((line) => line.includes("run_routines") || line.includes("routines")), { timeout: 30_000 }).toBe(true);
  }, 60_000);

  it("has the menus File, Edit, View, Window, Help, and its own items reach their actions", async () => {
    const menu = (await app.evaluate(({ standin }) => standin.applicationMenu()))!;
    // macOS puts the app's own menu first.
    expect(menu.filter((item) => item.role !== "appMenu").map((item) => item.label)).toEqual(["File", "Edit", "View", "Window", "Help"]);
    const help = menu.find((item) => item.label === "Help")!.submenu!.map((item) => item.label);
    expect(help).toEqual(["Check for Updates…", "Open App Data Folder"]);
    await app.evaluate(({ standin }) => standin.clickApplicationMenu(["File", "Open App Data Folder"]));
    const opened = await app.event("shell.openPath");
    expect(String(opened.data.path)).toBe(path.join(repoRoot, "django", ".dev-data"));

    const before = app.dialogs.length;
    await app.evaluate(({ standin }) => standin.clickApplicationMenu(["Help", "Check for Updates…"]));
    const told = await app.nextDialog(app.dialogs[before - 1]?.id ?? 0);
    expect(told.options.message).toMatch(/update/i);
    app.answerDialog(told, 0);
  }, 60_000);

  it("a second launch hands over to the first and quits without starting Django", async () => {
    const second = ShellProcess.launch(shellDir, chromium, { userData });
    try {
      expect((await second.exited).code).toBe(0);
      expect(second.serving()).toEqual([]);
      expect(second.eventsNamed("window-created")).toEqual([]);
      await app.event("second-instance");
      await app.event("window-focused", (data) => data.window === mainWindow);
    } finally {
      await second.kill();
    }
  }, 60_000);

  it("when Django dies, the dialog's Restart brings the page back on the same origin", async () => {
    const origin = new URL(page.url()).origin;
    const { pid } = app.serving().at(-1)!;
    const before = app.dialogs.at(-1)?.id ?? 0;
    await page.evaluate(() => Object.assign(window, { beforeTheCrash: true }));
    process.kill(pid, "SIGKILL");
    const dialog = await app.nextDialog(before, 30_000);
    expect(dialog.options.message).toMatch(/while the app was running/);
    expect(dialog.options.buttons).toEqual(["Restart", "Quit"]);
    app.answerDialog(dialog, 0);
    await expect.poll(() => app.serving().length, { timeout: 60_000 }).toBeGreaterThan(1);
    expect(new URL(app.serving().at(-1)!.url).origin).toBe(origin);
    await expect.poll(() => page.evaluate(() => "beforeTheCrash" in window).catch(() => true), { timeout: 60_000 }).toBe(false);
    expect(await heading(page)).toBe("My Ponies");
    expect(new URL(page.url()).origin).toBe(origin);
  }, 120_000);

  it("saves the window's place on close, and quits with Django and the worker stopped", async () => {
    await app.evaluate(({ standin }, id) => standin.windows().find((window) => window.id === id)!.setBounds({ x: 60, y: 40, width: 900, height: 640 }), mainWindow);
    await closeAndCheckNothingLeft(app, mainWindow);
    expect(JSON.parse(readFileSync(stateFile, "utf8"))).toEqual({ x: 60, y: 40, width: 900, height: 640, maximized: false });
  }, 60_000);
});

/** The newest staged bundle: `npm run stage -w final`'s, or the one final/'s own suite staged (it runs before the root tests in `npm test`). */
function stagedBundle(): string | undefined {
  const testStage = path.join(repoRoot, ".stage", "test");
  const candidates = [path.join(repoRoot, ".stage", "backend"), ...(existsSync(testStage) ? readdirSync(testStage).map((name) => path.join(testStage, name)) : [])];
  return candidates
    .filter((dir) => existsSync(path.join(dir, "manifest.json")))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

const bundle = posix ? stagedBundle() : undefined;
if (posix && !bundle) console.log("Skipping final/ as a packaged app under the stand-in: no staged bundle (`npm run stage -w final` or `npm test -w final` stages one).");

describe.skipIf(!bundle)("final: as a packaged app, on the staged bundle", () => {
  let app: ShellProcess;
  let userData: string;

  afterAll(async () => {
    await app?.kill();
  });

  it("runs Django from the bundle without autoreload, keeps its data in userData, and stops it on quit", async () => {
    const shellDir = path.join(repoRoot, "final");
    ensureBuilt(shellDir);
    // Electron's resources folder of a packaged app holds the bundle as backend/.
    const resources = mkdtempSync(path.join(os.tmpdir(), "standin-resources-"));
    scratch.push(resources);
    symlinkSync(bundle!, path.join(resources, "backend"));
    userData = tempUserData();
    app = ShellProcess.launch(shellDir, chromium, { userData, env: { ELECTRON_STANDIN_PACKAGED: "1", ELECTRON_STANDIN_RESOURCES: resources } });
    const mainWindow = await app.windowLoading(isDjango, 90_000);
    const page = await app.page(mainWindow);
    expect(await heading(page)).toBe("My Ponies");
    expect(existsSync(path.join(userData, "app.sqlite3"))).toBe(true);
    const { pid } = app.serving().at(-1)!;
    const command = spawnSync("ps", ["-o", "args=", "-p", String(pid)], { encoding: "utf8" }).stdout;
    expect(command).toContain(path.join(resources, "backend"));
    expect(command).not.toContain("--reload");
    expect(app.faults()).toEqual([]);
    await closeAndCheckNothingLeft(app, mainWindow);
  }, 120_000);
});
