import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import path from "node:path";
import { _electron as electron, expect, test } from "@playwright/test";
import { projectPaths } from "../../src/paths";
import { chapterDir, djangoWindow, electronBinary, SKIP_REASON } from "./support";

const binary = electronBinary();
test.skip(!binary, SKIP_REASON);

/** Python processes still running this repository's Django (POSIX; Windows has no `ps`). */
function djangoProcesses(): string[] {
  if (process.platform === "win32") return [];
  const managePy = projectPaths().managePy;
  return execFileSync("ps", ["-eo", "args"], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line.includes(managePy) && /desktop_serve|run_routines/.test(line));
}

test("the complete app: pony flow, token for one origin only, the bridge, and nothing left after quitting", async () => {
  const seenByOther: IncomingHttpHeaders[] = [];
  const other = createServer((request, response) => {
    seenByOther.push(request.headers);
    response.end("other");
  });
  await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
  const otherUrl = `http://127.0.0.1:${(other.address() as { port: number }).port}/`;

  const app = await electron.launch({ executablePath: binary!, args: [chapterDir] });
  const window = await djangoWindow(app);
  await expect(window.getByRole("heading", { name: "My Ponies" })).toBeVisible({ timeout: 30_000 });

  await window.getByRole("link", { name: "Add pony" }).first().click();
  await window.locator("#id_title").fill("Electron Test Pony");
  await window.getByRole("button", { name: "Add pony" }).click();
  await window.getByRole("link", { name: "Electron Test Pony" }).first().click();
  await window.getByRole("button", { name: "Delete" }).first().click();
  await window.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await expect(window.getByRole("link", { name: "Electron Test Pony" })).toHaveCount(0);

  // The page's own request to another origin is sent without the token.
  await window.evaluate((url) => fetch(url, { mode: "no-cors" }).then(() => undefined), otherUrl);
  expect(seenByOther.length).toBeGreaterThan(0);
  for (const headers of seenByOther) expect(headers["x-desktop-django-token"]).toBeUndefined();
  expect((await fetch(window.url())).status).toBe(403);

  expect(await window.evaluate(() => typeof (window as unknown as { desktop?: { openAppDataFolder?: unknown } }).desktop?.openAppDataFolder)).toBe("function");
  expect(djangoProcesses().length).toBeGreaterThan(0);

  await app.close();
  other.close();
  await expect.poll(djangoProcesses, { timeout: 5000 }).toEqual([]);
});

test("start:packaged runs the staged bundle and keeps its data in Electron's userData folder", async () => {
  const manifest = path.join(projectPaths().stageDir, "backend", "manifest.json");
  test.skip(!existsSync(manifest), "no staged bundle: run `npm run stage -w final` first");
  const app = await electron.launch({ executablePath: binary!, args: [chapterDir], env: { ...process.env, DDS_BACKEND_LAYOUT: "staged" } });
  const window = await djangoWindow(app);
  await expect(window.getByRole("heading", { name: "My Ponies" })).toBeVisible({ timeout: 30_000 });
  const userData = await app.evaluate(({ app: electronApp }) => electronApp.getPath("userData"));
  expect(existsSync(path.join(userData, "app.sqlite3"))).toBe(true);
  await app.close();
});

test("when Django stops while the app is open, the dialog's Restart brings the page back on the same origin", async () => {
  const app = await electron.launch({ executablePath: binary!, args: [chapterDir] });
  const window = await djangoWindow(app);
  await expect(window.getByRole("heading", { name: "My Ponies" })).toBeVisible({ timeout: 30_000 });
  const origin = new URL(window.url()).origin;

  // Answer the native dialog with "Restart" and keep its message for the assertions.
  await app.evaluate(({ dialog }) => {
    const messages: string[] = [];
    Object.assign(globalThis, { dialogMessages: messages });
    Object.assign(dialog, {
      showMessageBox: async (...args: unknown[]) => {
        messages.push((args.at(-1) as { message: string }).message);
        return { response: 0, checkboxChecked: false };
      },
    });
  });
  await window.evaluate(() => Object.assign(window, { beforeTheCrash: true }));

  // The serving process is the newest DESKTOP_DJANGO_SERVING line in the development log.
  const log = readFileSync(path.join(projectPaths().appDataDir, "logs", "backend.log"), "utf8");
  const serving = log.split(/\r?\n/).findLast((line) => line.startsWith("DESKTOP_DJANGO_SERVING "))!;
  process.kill((JSON.parse(serving.slice("DESKTOP_DJANGO_SERVING ".length)) as { pid: number }).pid, "SIGKILL");

  await expect.poll(() => app.evaluate(() => (globalThis as unknown as { dialogMessages: string[] }).dialogMessages), { timeout: 15_000 }).toEqual([
    expect.stringContaining("while the app was running"),
  ]);
  await expect.poll(() => window.evaluate(() => "beforeTheCrash" in window), { timeout: 30_000 }).toBe(false);
  await expect(window.getByRole("heading", { name: "My Ponies" })).toBeVisible({ timeout: 30_000 });
  expect(new URL(window.url()).origin).toBe(origin);
  await app.close();
  await expect.poll(djangoProcesses, { timeout: 5000 }).toEqual([]);
});
