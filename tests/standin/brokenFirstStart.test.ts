/**
 * A project Django cannot load at the first start, in development: every shell
 * from chapter 02 on opens its window on Django's error page (no dialog, no
 * quit), as it does for a typo made once the app is open, and reloads into the
 * app once the fix is saved; final/ starts its worker only then. Each shell's
 * compiled main process runs under the Electron stand-in from a copy of the
 * repository whose django/example_app/models.py the test breaks and fixes.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRunning, repoRoot, SharedChromium, ShellProcess } from "../electron-standin/harness.ts";
import { ensureBuilt } from "./build.ts";

const SHELLS = ["chapters/02-health-and-port", "chapters/03-token", "chapters/04-bundled-python", "chapters/05-packaging", "chapters/06-updates", "final"];
/** What each shell prints instead of the dialog. */
const SHOWING_THE_ERROR = "Django cannot load the project; the window shows the error; save the fix and it reloads.";

let chromium: SharedChromium;
let copy: string;
let models: string;
let working: string;

/**
 * The shells' compiled code and a copy of django/ (its .venv the real one), laid out as in the repository: each
 * shell finds django/ above itself. node_modules is the repository's, for what the compiled code requires.
 */
function copyOfRepository(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "standin-broken-"));
  symlinkSync(path.join(repoRoot, "node_modules"), path.join(root, "node_modules"), "junction");
  cpSync(path.join(repoRoot, "django"), path.join(root, "django"), {
    recursive: true,
    filter: (source) => !/[\\/](\.venv|\.dev-data|__pycache__)$/.test(source),
  });
  symlinkSync(path.join(repoRoot, "django", ".venv"), path.join(root, "django", ".venv"), "junction");
  for (const shell of SHELLS) {
    ensureBuilt(path.join(repoRoot, shell));
    mkdirSync(path.join(root, shell), { recursive: true });
    for (const part of ["dist", "package.json"]) cpSync(path.join(repoRoot, shell, part), path.join(root, shell, part), { recursive: true });
  }
  return root;
}

beforeAll(async () => {
  copy = copyOfRepository();
  models = path.join(copy, "django", "example_app", "models.py");
  working = readFileSync(models, "utf8");
  chromium = await SharedChromium.start();
}, 120_000);

afterAll(async () => {
  await chromium?.close();
  if (copy) rmSync(copy, { recursive: true, force: true, maxRetries: 10 });
});

const isDjango = (url: string) => /^http:\/\/127\.0\.0\.1:\d+\/$/.test(url);

/** The page's first heading, or undefined while it loads. */
async function heading(page: Page): Promise<string | undefined> {
  return page
    .locator("h1")
    .first()
    .textContent({ timeout: 1000 })
    .then((text) => text?.trim())
    .catch(() => undefined);
}

const workerSpawns = (app: ShellProcess) => app.eventsNamed("spawn").filter((event) => (event.data.args as string[]).includes("run_routines"));

// The stand-in's process checks use `ps`: macOS and Linux, as in shells.test.ts.
describe.skipIf(process.platform === "win32")("a project Django cannot load at the first start, in development", () => {
  for (const shell of SHELLS) {
    it(`${shell}: the window shows Django's error page, and the app once the fix is saved`, async () => {
      writeFileSync(models, `${working}\nclass Broken(models.Model):\n    name = models.CharFeld(max_length=10)\n`);
      const userData = mkdtempSync(path.join(os.tmpdir(), "standin-userdata-"));
      const app = ShellProcess.launch(path.join(copy, shell), chromium, { userData });
      try {
        // Before the change, the shell showed the startup dialog here and quit once it was answered.
        const shown = await Promise.race([
          app.windowLoading(isDjango, 90_000).then((window) => ({ window })),
          app.nextDialog(0, 90_000).then((dialog) => ({ dialog })),
        ]);
        expect("dialog" in shown ? `a dialog: ${shown.dialog.options.message}` : "a window on Django's URL").toBe("a window on Django's URL");
        const mainWindow = (shown as { window: number }).window;
        const page = await app.page(mainWindow);
        // From chapter 03 on, Django's error page also wants the token: seeing it means the token is sent as for a healthy start.
        await expect.poll(() => heading(page), { timeout: 30_000 }).toBe("Django could not start");
        expect(await page.locator("body").textContent()).toMatch(/AttributeError: .*CharFeld/);
        expect(app.output).toContain(SHOWING_THE_ERROR);
        // The splash goes once the window shows, as at a healthy start.
        await app.event("window-closed", (data) => data.window !== mainWindow, 30_000);
        expect(app.dialogs).toEqual([]);
        expect(workerSpawns(app), "a worker started on the error page").toEqual([]);

        // Saved again every 1.5 s until the app shows: Django's reloader may miss a save made as it starts.
        const fixedAt = Date.now();
        const save = () => writeFileSync(models, working);
        save();
        const saving = setInterval(save, 1500);
        try {
          await expect.poll(() => heading(page), { timeout: 60_000 }).toBe("My Ponies");
        } finally {
          clearInterval(saving);
        }
        expect(app.serving().length, "Django served again after the fix").toBeGreaterThan(1);
        if (shell === "final") {
          // The worker starts once /health/ answers 200, which it did only after the fix.
          const spawned = await app.waitFor("the worker's spawn", () => workerSpawns(app)[0], 30_000);
          const healthy = app.events.find((event) => event.name === "health-poll" && event.data.status === 200)!;
          expect(healthy.at).toBeGreaterThan(fixedAt);
          expect(spawned.at).toBeGreaterThanOrEqual(healthy.at);
        }
        expect(app.dialogs).toEqual([]);
        expect(app.faults()).toEqual([]);

        const processes = app.descendants();
        await app.evaluate(({ electron }) => (electron.app as { quit: () => void }).quit());
        expect((await app.exited).code, app.tail()).toBe(0);
        await expect.poll(() => processes.filter(isRunning), { timeout: 10_000 }).toEqual([]);
      } finally {
        writeFileSync(models, working);
        await app.kill();
        rmSync(userData, { recursive: true, force: true });
      }
    }, 180_000);
  }
});
