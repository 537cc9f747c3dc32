import { existsSync } from "node:fs";
import path from "node:path";
import { _electron as electron, expect, test } from "@playwright/test";
import { findRepoRoot } from "../../src/paths";
import { chapterDir, djangoWindow, electronBinary, SKIP_REASON } from "./support";

const binary = electronBinary();
test.skip(!binary, SKIP_REASON);

test("the window shows the pony list, and a request without the token is refused", async () => {
  const app = await electron.launch({ executablePath: binary!, args: [chapterDir] });
  const window = await djangoWindow(app);
  await expect(window.getByRole("heading", { name: "My Ponies" })).toBeVisible({ timeout: 30_000 });
  // The window's own requests carry the token; the same URL fetched from outside does not.
  const outside = await fetch(window.url());
  expect(outside.status).toBe(403);
  expect(await window.evaluate(() => typeof (window as unknown as { desktop?: { openAppDataFolder?: unknown } }).desktop?.openAppDataFolder)).toBe("function");
  await app.close();
});

test("start:packaged runs the staged bundle and keeps its data in Electron's userData folder", async () => {
  const manifest = path.join(findRepoRoot(chapterDir), ".stage", "backend", "manifest.json");
  test.skip(!existsSync(manifest), "no staged bundle: run `npm run stage` in this workspace first");
  const app = await electron.launch({ executablePath: binary!, args: [chapterDir], env: { ...process.env, DDS_BACKEND_LAYOUT: "staged" } });
  const window = await djangoWindow(app);
  await expect(window.getByRole("heading", { name: "My Ponies" })).toBeVisible({ timeout: 30_000 });
  const userData = await app.evaluate(({ app: electronApp }) => electronApp.getPath("userData"));
  expect(existsSync(path.join(userData, "app.sqlite3"))).toBe(true);
  await app.close();
});
