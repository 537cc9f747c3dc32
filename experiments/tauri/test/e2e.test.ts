/**
 * The Tauri shell in a real window: the compiled app runs under Xvfb and
 * WebDriver (tauri-driver + WebKitWebDriver) drives its WebKitGTK view while
 * the app runs the real Django from django/.venv. Screenshots of the window go
 * to .test-results/tauri/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { By, until } from "selenium-webdriver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shellBinary, workspaceDir } from "../scripts/binary.ts";
import { backendProcesses, eventually, launchApp, missingPrerequisite, recordingOpener, startXvfb, type DriverSession } from "./harness.ts";

const IDENTIFIER = "org.desktop-django-starter.flying-stable-tauri";
const binary = shellBinary("debug");
const screenshots = path.resolve(workspaceDir, "..", "..", ".test-results", "tauri");
const skipReason = missingPrerequisite(binary);
if (skipReason) console.log(`Skipping the Tauri e2e test: ${skipReason}.`);

/** One launch of the app with its own XDG data folder, so its app data is fresh and known. */
async function launch(display: string, prepare?: (appDataDir: string) => void) {
  const home = mkdtempSync(path.join(tmpdir(), "dds-tauri-e2e-"));
  const appDataDir = path.join(home, "data", IDENTIFIER);
  mkdirSync(appDataDir, { recursive: true });
  prepare?.(appDataDir);
  const opener = recordingOpener(home);
  const session = await launchApp(binary, {
    DISPLAY: display,
    XDG_DATA_HOME: path.join(home, "data"),
    PATH: `${opener.binDir}${path.delimiter}${process.env.PATH}`,
    // No accessibility bus under Xvfb; without this GTK waits for it.
    NO_AT_BRIDGE: "1",
  });
  return { home, appDataDir, opener, session };
}

async function saveScreenshot(session: DriverSession, name: string): Promise<string> {
  mkdirSync(screenshots, { recursive: true });
  const file = path.join(screenshots, name);
  writeFileSync(file, Buffer.from(await session.driver.takeScreenshot(), "base64"));
  return file;
}

describe.skipIf(skipReason)("the Tauri shell in a real window", () => {
  let xvfb: Awaited<ReturnType<typeof startXvfb>>;
  beforeAll(async () => {
    xvfb = await startXvfb();
  });
  afterAll(() => xvfb?.stop());

  describe("a healthy start", () => {
    let app: Awaited<ReturnType<typeof launch>>;
    let origin: string;
    beforeAll(async () => {
      app = await launch(xvfb.display);
    });
    afterAll(async () => {
      await app?.session.stop();
      rmSync(app.home, { recursive: true, force: true });
    });

    it("shows the pony list", async () => {
      const { driver } = app.session;
      await driver.wait(until.elementLocated(By.css(".pony-list .pony-row")), 90_000, `no pony list; the app said:\n${app.session.output()}`);
      expect((await driver.findElements(By.css(".pony-row"))).length).toBeGreaterThan(0);
      origin = new URL(await driver.getCurrentUrl()).origin;
      expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      console.log(`Screenshot of the main window: ${await saveScreenshot(app.session, "main-window.png")}`);
    });

    it("keeps the token out of the page's address after the bootstrap redirect", async () => {
      const [django] = backendProcesses(app.appDataDir).filter((process) => process.cmdline.includes("desktop_serve"));
      const token = django?.env.get("DESKTOP_DJANGO_AUTH_TOKEN") ?? "";
      expect(token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
      const address = await app.session.driver.getCurrentUrl();
      expect(new URL(address).pathname).toBe("/");
      expect(address).not.toContain("token");
      expect(address).not.toContain(token);
    });

    it("answers 403 to a request from outside the window, without the token or cookie", async () => {
      expect((await fetch(`${origin}/`)).status).toBe(403);
      expect((await fetch(`${origin}/health/`)).status).toBe(403);
      const [django] = backendProcesses(app.appDataDir).filter((process) => process.cmdline.includes("desktop_serve"));
      const token = django?.env.get("DESKTOP_DJANGO_AUTH_TOKEN") ?? "";
      expect((await fetch(`${origin}/health/`, { headers: { "X-Desktop-Django-Token": token } })).status).toBe(200);
    });

    it("opens the app-data folder through the shell's command when the page's button is clicked", async () => {
      const button = await app.session.driver.findElement(By.css("[data-open-app-data-folder]"));
      expect(await button.isDisplayed()).toBe(true);
      await button.click();
      const opened = await eventually(app.opener.opened, (lines) => lines.length > 0, 10_000);
      expect(opened).toEqual([app.appDataDir]);
    });

    it("keeps the window on Django and hands other sites to the system browser, in no new window", async () => {
      const { driver } = app.session;
      await driver.executeScript("window.location.href = 'https://example.org/navigated'");
      // A click, not a script's window.open: WebKit lets only a user's gesture ask for a new window.
      await driver.executeScript(
        "const link = Object.assign(document.createElement('a'), { href: 'https://example.org/opened', target: '_blank', id: 'outside', textContent: 'outside' }); document.body.prepend(link);",
      );
      await driver.findElement(By.css("#outside")).click();
      const opened = await eventually(app.opener.opened, (lines) => lines.length >= 3, 10_000);
      expect(opened.slice(1).sort()).toEqual(["https://example.org/navigated", "https://example.org/opened"]);
      expect(new URL(await driver.getCurrentUrl()).origin).toBe(origin);
      expect(await driver.getAllWindowHandles()).toHaveLength(1);
    });

    it("leaves no Python process behind when the window closes", async () => {
      const running = backendProcesses(app.appDataDir);
      expect(running.some((process) => process.cmdline.includes("desktop_serve"))).toBe(true);
      expect(running.some((process) => process.cmdline.includes("run_routines"))).toBe(true);
      await app.session.driver.close();
      const left = await eventually(() => backendProcesses(app.appDataDir), (processes) => processes.length === 0, 5_000);
      expect(left.map((process) => process.cmdline)).toEqual([]);
    });
  });

  describe("a Django that cannot start", () => {
    let app: Awaited<ReturnType<typeof launch>>;
    beforeAll(async () => {
      // A database file that is not SQLite: desktop_serve's integrity check refuses it with exit code 13.
      app = await launch(xvfb.display, (appDataDir) => writeFileSync(path.join(appDataDir, "app.sqlite3"), "this is not a database".repeat(100)));
    });
    afterAll(async () => {
      await app?.session.stop();
      rmSync(app.home, { recursive: true, force: true });
    });

    it("shows the failure in the window, with the reason and the log's last lines", async () => {
      const { driver } = app.session;
      const title = async () => driver.findElement(By.css("#title")).then((element) => element.getText());
      await driver.wait(async () => (await title()) === "Flying Stable could not start", 90_000, `no failure shown; the app said:\n${app.session.output()}`);
      expect(await driver.getTitle()).toBe("Flying Stable could not start");
      expect(await driver.findElement(By.css("#message")).getText()).toContain("Django exited with code 13");
      expect(await driver.findElement(By.css("#log-file")).getText()).toBe(path.join(app.appDataDir, "logs", "backend.log"));
      expect(await driver.findElement(By.css("#lines")).getText()).toContain("file is not a database");
      console.log(`Screenshot of the error window: ${await saveScreenshot(app.session, "error-window.png")}`);
      await driver.close();
      const left = await eventually(() => backendProcesses(app.appDataDir), (processes) => processes.length === 0, 5_000);
      expect(left).toEqual([]);
    });
  });
});
