/**
 * The real pages in Chromium, against the real backend started by final's own
 * startApp(): Django's desktop_serve on a random port with a token, plus the
 * routines worker. The browser enters through the bootstrap URL, as any shell
 * that cannot add headers does.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { expect, test as base } from "@playwright/test";
import type { RunningApp } from "../../final/src/app.ts";

// final/ compiles to CommonJS; require() gives its named exports to this ES module.
const require = createRequire(import.meta.url);
const { startApp } = require("../../final/src/app.ts") as typeof import("../../final/src/app.ts");
const { devPaths } = require("../../final/src/paths.ts") as typeof import("../../final/src/paths.ts");
const { generateToken } = require("../../final/src/token.ts") as typeof import("../../final/src/token.ts");

const paths = devPaths();

const test = base.extend<{ appDataDir: string; app: RunningApp }>({
  // Playwright reads a fixture's dependencies from its first parameter's pattern; this one has none.
  // eslint-disable-next-line no-empty-pattern
  appDataDir: async ({}, use) => {
    await use(mkdtempSync(path.join(os.tmpdir(), "dds-browser-")));
  },
  app: async ({ appDataDir }, use) => {
    const app = await startApp({
      python: paths.python,
      managePy: paths.managePy,
      token: generateToken(),
      env: {
        DJANGO_SETTINGS_MODULE: "desktop_django_starter.settings.dev",
        DESKTOP_DJANGO_HOST: "127.0.0.1",
        DESKTOP_DJANGO_APP_DATA_DIR: appDataDir,
        DESKTOP_ROUTINES_MIN_SECONDS: "0.5",
        DESKTOP_ROUTINES_MAX_SECONDS: "2",
      },
    });
    await use(app);
    await app.stop();
  },
});

/** Adds `count` ponies named "Extra 1" .. "Extra <count>" to the running app's database, the way Django's shell would. */
function addPonies(appDataDir: string, count: number): void {
  const code = `from example_app.models import Item; Item.objects.bulk_create(Item(title=f"Extra {n}") for n in range(1, ${count + 1}))`;
  const result = spawnSync(paths.python, [paths.managePy, "shell", "-c", code], {
    env: { ...process.env, DJANGO_SETTINGS_MODULE: "desktop_django_starter.settings.dev", DESKTOP_DJANGO_APP_DATA_DIR: appDataDir },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`Adding ponies failed:\n${result.stderr}`);
}

test("every demo page sends a Content Security Policy and breaks none of it", async ({ app, page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`${page.url()}: ${message.text()}`);
  });
  await page.goto(app.bootstrapUrl);
  const firstPony = await page.locator(".pony-name").first().getAttribute("href");
  const pages = ["/", "/ponies/new/", firstPony!, "/routines/", "/splash/"];
  for (const pathname of pages) {
    const response = await page.goto(new URL(pathname, app.backend.url).href);
    expect(response?.status(), pathname).toBe(200);
    expect(response?.headers()["content-security-policy"], pathname).toMatch(/default-src '(self|none)'/);
    // Lets the page's scripts run (validation, the routines' polling) and report anything refused.
    await page.waitForLoadState("networkidle");
  }
  // The pages' own scripts under the policy: the delete dialog and the form check.
  await page.goto(new URL(firstPony!, app.backend.url).href);
  await page.getByRole("button", { name: "Delete" }).first().click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await page.goto(new URL("/ponies/new/", app.backend.url).href);
  await page.getByRole("button", { name: "Add pony" }).click();
  await expect(page.locator(".field-error").first()).toBeVisible();
  expect(violations).toEqual([]);
});

test("a page opened without the token gets 403, a page that says why in the app's colours", async ({ app, page }) => {
  const response = await page.goto(app.backend.url);
  expect(response?.status()).toBe(403);
  await expect(page.locator("h1")).toHaveText("Open this app from its desktop window");
  await expect(page.locator("main")).toContainText("answers only the desktop app that started it");
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundImage)).toContain("linear-gradient");
  expect(await page.context().cookies()).toEqual([]);
  const health = await page.goto(new URL("health/", app.backend.url).href);
  expect(health?.status()).toBe(403);
});

test("create, edit and delete a pony through the real UI", async ({ app, page }, testInfo) => {
  await page.goto(app.bootstrapUrl);
  await expect(page.getByRole("heading", { name: "My Ponies" })).toBeVisible();
  await expect(page.locator(".pony-row").first()).toBeVisible();
  const screenshot = await page.screenshot({ path: path.join("test-results", "screenshots", "pony-list.png"), fullPage: true });
  await testInfo.attach("pony-list", { body: screenshot, contentType: "image/png" });

  // The same rules as the server, shown in the app's own tooltip instead of the browser's bubble.
  await page.getByRole("link", { name: "Add pony" }).first().click();
  await page.getByRole("button", { name: "Add pony" }).click();
  const error = page.locator(".field-error").first();
  await expect(error).toBeVisible();
  await expect(error).toContainText(/required|name|title/i);
  await page.screenshot({ path: path.join("test-results", "screenshots", "validation.png") });

  await page.locator("#id_title").fill("Quillfeather Nimbus");
  await page.locator("#id_notes").fill("Arrived in the night.");
  await page.locator("#id_status").selectOption("active");
  await page.getByRole("button", { name: "Add pony" }).click();
  await expect(page.getByText("Quillfeather Nimbus").first()).toBeVisible();

  await page.goto(new URL("/", app.backend.url).href);
  await page.getByRole("link", { name: "Quillfeather Nimbus" }).click();
  await page.locator("#id_title").fill("Quillfeather Nimbus the Second");
  await page.getByRole("button", { name: "Save" }).click();
  await page.goto(new URL("/", app.backend.url).href);
  await expect(page.getByRole("link", { name: "Quillfeather Nimbus the Second" })).toBeVisible();

  await page.getByRole("link", { name: "Quillfeather Nimbus the Second" }).click();
  await page.getByRole("button", { name: "Delete" }).first().click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("heading", { name: "My Ponies" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Quillfeather Nimbus the Second" })).toHaveCount(0);
});

test("a name of zero-width characters gets the server's message from the form's own check, before any request", async ({ app, page }) => {
  await page.goto(app.bootstrapUrl);
  await page.goto(new URL("/ponies/new/", app.backend.url).href);
  const posts: string[] = [];
  page.on("request", (request) => {
    if (request.method() === "POST") posts.push(request.url());
  });
  // Zero-width space, zero-width joiner, word joiner: str.strip() and String.trim() keep them all.
  await page.locator("#id_title").pressSequentially("\u200b\u200d\u2060");
  await page.getByRole("button", { name: "Add pony" }).click();
  await expect(page.locator("#id_title_error")).toHaveText("Every pony needs a name.");
  await expect(page.locator("#id_title")).toHaveAttribute("aria-invalid", "true");
  expect(new URL(page.url()).pathname).toBe("/ponies/new/");
  expect(posts).toEqual([]);

  // One visible letter among them is a name, on both sides.
  await page.locator("#id_title").fill("\u200bAmber Gust");
  await page.getByRole("button", { name: "Add pony" }).click();
  await expect(page.getByText("Welcome to the stable, \u200bAmber Gust!")).toBeVisible();
  expect(posts).toHaveLength(1);
});

test("a name's length counts characters, as on the server: 200 pony emoji fit, 201 get the message before any request", async ({ app, page }) => {
  await page.goto(app.bootstrapUrl);
  await page.goto(new URL("/ponies/new/", app.backend.url).href);
  const posts: string[] = [];
  page.on("request", (request) => {
    if (request.method() === "POST") posts.push(request.url());
  });
  // One character, two UTF-16 units: a browser's maxlength of 200 would stop at 100 of them.
  const pony = "\u{1F434}";
  await page.locator("#id_title").fill(pony.repeat(201));
  await page.getByRole("button", { name: "Add pony" }).click();
  await expect(page.locator("#id_title_error")).toHaveText("Keep the name to 200 characters or fewer.");
  expect(posts).toEqual([]);

  await page.locator("#id_title").fill(pony.repeat(200));
  await page.getByRole("button", { name: "Add pony" }).click();
  await expect(page.getByText(`Welcome to the stable, ${pony.repeat(200)}!`)).toBeVisible();
  expect(posts).toHaveLength(1);
});

test("a pony deleted from the second page through the dialog leaves you on that page with the message", async ({ app, appDataDir, page }) => {
  await page.goto(app.bootstrapUrl);
  await expect(page.locator(".pony-row").first()).toBeVisible();
  // The starter ponies plus 30 more: two pages of 25.
  addPonies(appDataDir, 30);
  await page.goto(new URL("/", app.backend.url).href);
  const pages = page.getByRole("navigation", { name: "Pages of ponies" });
  await expect(pages).toContainText("page 1 of 2");
  await pages.getByRole("link", { name: "Next" }).click();
  await expect(pages).toContainText("page 2 of 2");
  await expect(page.locator(".pony-row")).toHaveCount(10);

  const name = await page.locator(".pony-name").first().innerText();
  await page.locator(".pony-name").first().click();
  await page.getByRole("button", { name: "Delete" }).first().click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Delete" }).click();

  await expect(page).toHaveURL(/\/\?page=2$/);
  await expect(page.locator(".flash")).toHaveText(`${name} has flown off to greener pastures.`);
  await expect(pages).toContainText("page 2 of 2");
  await expect(page.locator(".pony-row")).toHaveCount(9);
  await expect(page.getByRole("link", { name, exact: true })).toHaveCount(0);
});

test("three routines started on the routines page each reach a final state through polling", async ({ app, page }, testInfo) => {
  await page.goto(app.bootstrapUrl);
  await page.getByRole("link", { name: "Stable Routines" }).first().click();
  for (let i = 0; i < 3; i += 1) await page.getByRole("button", { name: "Start Routine" }).click();
  const statuses = page.locator(".routine-status");
  await expect(statuses).toHaveCount(3);
  // No reload from here on: the page's own polling moves each routine to its final state.
  await expect(page.locator('.routine-status[data-status="succeeded"], .routine-status[data-status="failed"]')).toHaveCount(3, { timeout: 30_000 });
  // "… is waiting for a worker." goes once the routine it announced has left the queue.
  await expect(page.locator(".flash", { hasText: "is waiting for a worker." })).toHaveCount(0, { timeout: 5_000 });
  const screenshot = await page.screenshot({ path: path.join("test-results", "screenshots", "routines.png"), fullPage: true });
  await testInfo.attach("routines", { body: screenshot, contentType: "image/png" });
});
