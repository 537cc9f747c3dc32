/**
 * The stand-in's own members, including those no shell uses yet (a hardened
 * shell will: web-contents-created, will-redirect, will-frame-navigate,
 * permission handlers, devTools: false, a splash from protocol.handle), run
 * through a small fixture shell (tests/electron-standin/fixture-shell/)
 * against a real web server and real Chromium. No Django here.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, SharedChromium, ShellProcess } from "../electron-standin/harness.ts";
import { urlFilter } from "../electron-standin/urlFilter.ts";

const fixtureDir = path.join(repoRoot, "tests", "electron-standin", "fixture-shell");

describe("the shells and the stand-in", () => {
  it("no shell's source mentions the stand-in: it is test code, resolved in place of electron only by the tests' host", () => {
    const sourceDirs = [...readdirSync(path.join(repoRoot, "chapters")).map((name) => path.join(repoRoot, "chapters", name, "src")), path.join(repoRoot, "final", "src")];
    const files = sourceDirs.flatMap((dir) => readdirSync(dir).map((name) => path.join(dir, name)));
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((file) => /standin|stand-in/i.test(readFileSync(file, "utf8")))).toEqual([]);
  });
});

describe("webRequest URL filters", () => {
  it("match Electron's patterns: scheme, host, an exact port or any, and a path glob", () => {
    const djangoOnly = urlFilter({ urls: ["http://127.0.0.1:8123/*"] });
    expect(djangoOnly("http://127.0.0.1:8123/")).toBe(true);
    expect(djangoOnly("http://127.0.0.1:8123/static/app.css?v=2")).toBe(true);
    expect(djangoOnly("http://127.0.0.1:8124/")).toBe(false);
    expect(djangoOnly("https://127.0.0.1:8123/")).toBe(false);
    expect(djangoOnly("http://localhost:8123/")).toBe(false);
    expect(djangoOnly("http://127.0.0.1.evil.test:8123/")).toBe(false);
    expect(urlFilter({ urls: ["*://*.example.com/api/*"] })("https://www.example.com/api/x")).toBe(true);
    expect(urlFilter({ urls: ["*://*.example.com/api/*"] })("https://example.com/other")).toBe(false);
    expect(urlFilter({ urls: ["http://127.0.0.1/*"] })("http://127.0.0.1:9999/any")).toBe(true);
    expect(urlFilter({ urls: [] })("https://anything.test/")).toBe(true);
    expect(urlFilter(undefined)("file:///etc/hosts")).toBe(true);
    expect(() => urlFilter({ urls: ["127.0.0.1:8000"] })).toThrow(/not a valid URL match pattern/i);
  });
});

describe.skipIf(process.platform === "win32")("the stand-in, through a fixture shell (macOS and Linux)", () => {
  let chromium: SharedChromium;
  let server: Server;
  let site: string;
  const seen: Array<{ path: string; fixtureHeader?: string }> = [];
  const launched: ShellProcess[] = [];

  beforeAll(async () => {
    chromium = await SharedChromium.start();
    server = createServer((request, response) => {
      const url = request.url ?? "/";
      seen.push({ path: url, fixtureHeader: request.headers["x-fixture"] as string | undefined });
      const redirects: Record<string, string> = { "/redirect-to-forbidden": "/forbidden-target", "/redirect-ok": "/ok" };
      if (redirects[url]) {
        response.writeHead(302, { location: redirects[url] });
        response.end();
        return;
      }
      response.setHeader("content-type", "text/html");
      if (url === "/frames") response.end(`<title>frames</title><iframe src="/ok-frame"></iframe><iframe src="/blocked-frame"></iframe>`);
      else response.end(`<title>page ${url}</title><h1>${url}</h1><a id="forbidden" href="/redirect-to-forbidden">f</a><a id="ok" href="/redirect-ok">o</a>`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    site = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  }, 60_000);

  afterAll(async () => {
    for (const app of launched) await app.kill();
    await chromium?.close();
    server?.close();
  });

  function launch(env: Record<string, string> = {}): ShellProcess {
    const app = ShellProcess.launch(fixtureDir, chromium, { env: { FIXTURE_SITE: site, ...env } });
    launched.push(app);
    return app;
  }

  describe("a running fixture shell", () => {
    let app: ShellProcess;
    let page: Page;
    let mainWindow: number;

    beforeAll(async () => {
      app = launch();
      mainWindow = await app.windowLoading((url) => url === site, 60_000);
      await app.event("did-finish-load", (data) => data.window === mainWindow, 60_000);
      page = await app.page(mainWindow);
    }, 90_000);

    afterEach(() => {
      expect(app.faults()).toEqual([]);
    });

    it("serves a page from the shell's protocol.handle and fires web-contents-created for every window", async () => {
      const splash = await app.event("did-finish-load", (data) => data.window !== mainWindow);
      expect(splash.data.url).toBe("fixture://splash/index.html");
      expect(splash.data.title).toBe("Splash for /index.html");
      expect(await app.evaluate(({ standin }) => standin.windows().map((window) => window.webContents.listenerCount("will-redirect")))).toEqual([1, 1]);
    });

    it("fires will-redirect from a real server redirect; preventDefault stops it before the target is requested", async () => {
      await page.click("#forbidden");
      await app.event("navigation-prevented", (data) => String(data.url).endsWith("/forbidden-target"));
      expect(seen.map((one) => one.path)).toContain("/redirect-to-forbidden");
      expect(seen.map((one) => one.path)).not.toContain("/forbidden-target");
      expect(page.url()).toBe(site);
      await page.click("#ok");
      await page.waitForURL(`${site}ok`);
    });

    it("fires will-frame-navigate for each frame; preventDefault keeps a frame from loading", async () => {
      await app.evaluate(({ standin }, { id, url }) => standin.windows().find((window) => window.id === id)!.loadURL(url), { id: mainWindow, url: `${site}frames` });
      await app.event("navigation-prevented", (data) => String(data.url).endsWith("/blocked-frame") && data.isMainFrame === false);
      await expect.poll(() => seen.map((one) => one.path)).toContain("/ok-frame");
      expect(seen.map((one) => one.path)).not.toContain("/blocked-frame");
    });

    it("applies the header listener only inside its filter, and its cancel blocks the request", async () => {
      const statuses = await page.evaluate(async (base) => {
        const results: string[] = [];
        for (const url of [`${base}headers/a`, `${base}outside`, `${base}headers/cancel`]) {
          results.push(await fetch(url).then((response) => String(response.status), () => "blocked"));
        }
        return results;
      }, site);
      expect(statuses).toEqual(["200", "200", "blocked"]);
      expect(seen.find((one) => one.path === "/headers/a")?.fixtureHeader).toBe("yes");
      expect(seen.find((one) => one.path === "/outside")?.fixtureHeader).toBeUndefined();
      expect(seen.map((one) => one.path)).not.toContain("/headers/cancel");
    });

    it("answers permission requests and checks through the shell's handlers", async () => {
      const answers = await app.evaluate(async ({ standin }) => {
        const session = standin.defaultSession();
        const contents = standin.windows()[1]!.webContents;
        return [
          await session.requestPermission(contents, "media"),
          await session.requestPermission(contents, "clipboard-read"),
          session.checkPermission(contents, "geolocation", "http://127.0.0.1"),
          session.checkPermission(contents, "clipboard-read", "http://127.0.0.1"),
        ];
      });
      expect(answers).toEqual([false, true, false, true]);
    });

    it("keeps devTools closed for a window created with devTools: false, and fills role menus as Electron does", async () => {
      const opened = await app.evaluate(({ standin }) =>
        standin.windows().map((window) => {
          window.webContents.openDevTools();
          return window.webContents.isDevToolsOpened();
        }),
      );
      expect(opened).toEqual([false, true]);
      const menu = (await app.evaluate(({ standin }) => standin.applicationMenu()))!;
      expect(menu[0]!.submenu!.map((item) => item.label)).toContain("Toggle Developer Tools");
      await app.evaluate(({ standin }) => standin.clickApplicationMenu(["Tools", "Open Site"]));
      await app.event("shell.openExternal", (data) => data.url === site);
    });

    it("passes the bridge's calls to ipcMain.handle with the calling page's URL, and the API is a frozen copy", async () => {
      const reply = await page.evaluate(() => (window as unknown as { fixture: { echo: (value: number) => Promise<unknown> } }).fixture.echo(7));
      expect(reply).toEqual({ value: 7, url: page.url() });
      expect(await page.evaluate(() => Object.isFrozen((window as unknown as { fixture: object }).fixture))).toBe(true);
      expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe("undefined");
    });

    it("throws, names, and reports any member it does not implement", async () => {
      await expect(app.evaluate(({ electron }) => (electron.app as { setBadgeCount: (n: number) => void }).setBadgeCount(3))).rejects.toThrow(
        /does not implement app\.setBadgeCount/,
      );
      await expect(app.evaluate(({ electron }) => electron.globalShortcut)).rejects.toThrow(/does not implement electron\.globalShortcut/);
      expect(app.faults()).toEqual([expect.stringContaining("app.setBadgeCount"), expect.stringContaining("electron.globalShortcut")]);
      app.events.splice(0, app.events.length, ...app.events.filter((event) => event.name !== "fault"));
    });
  });

  it("fails a preload that requires anything but Electron's renderer modules, as a sandboxed preload fails", async () => {
    const app = launch({ FIXTURE_PRELOAD: "preload-requires-a-module.cjs" });
    await app.waitFor("a fault", () => app.faults()[0], 60_000);
    expect(app.faults()[0]).toMatch(/sandboxed preload cannot require "\.\/preload\.cjs"/);
  }, 90_000);
});
