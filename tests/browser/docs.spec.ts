/**
 * The built docs site in Chromium: the home page with its process diagram, and
 * every chapter page with its diff rendered at build time. Serves
 * docs/.vitepress/dist (built by `npm run docs:build` beforehand) from a tiny
 * static server, and fails on any request that leaves the machine: the site
 * must work offline.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test, type Page } from "@playwright/test";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const distDir = path.join(repoRoot, "docs", ".vitepress", "dist");
const screenshotDir = path.join(repoRoot, "test-results", "screenshots");

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

/** Serves the built site the way a static host does: "/x" tries x, x.html and x/index.html. */
function serveDist(): Promise<Server> {
  const server = createServer((request, response) => {
    const urlPath = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    const base = path.join(distDir, path.normalize(urlPath).replace(/^([/\\])+/, ""));
    const file = [base, `${base}.html`, path.join(base, "index.html")].find(
      (candidate) => candidate.startsWith(distDir) && existsSync(candidate) && statSync(candidate).isFile(),
    );
    response.writeHead(file ? 200 : 404, { "content-type": CONTENT_TYPES[path.extname(file ?? ".html")] ?? "application/octet-stream" });
    response.end(readFileSync(file ?? path.join(distDir, "404.html")));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

interface ChapterPage {
  slug: string;
  title: string;
  hasPrevious: boolean;
}

/** The chapter pages the site has, with the title each page declares and whether its chapter has a predecessor. */
function chapterPages(): ChapterPage[] {
  const folder = path.join(repoRoot, "docs", "chapters");
  return readdirSync(folder)
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => {
      const source = readFileSync(path.join(folder, name), "utf8");
      return {
        slug: name.replace(/\.md$/, ""),
        title: /^# (.+)$/m.exec(source)![1]!.trim(),
        hasPrevious: /^```chapter-diff /m.test(source),
      };
    });
}

let server: Server;
let origin: string;

test.beforeAll(async () => {
  if (!existsSync(path.join(distDir, "index.html"))) {
    throw new Error("docs/.vitepress/dist is missing: run `npm run docs:build` before the browser tests.");
  }
  server = await serveDist();
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mkdirSync(screenshotDir, { recursive: true });
});

test.afterAll(async () => {
  // No server when beforeAll stopped early: closing nothing must not wait for the hook's timeout.
  if (server) await new Promise((resolve) => server.close(resolve));
});

/** Records every request that would leave this machine. */
function watchForRemoteRequests(page: Page): string[] {
  const remote: string[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (!["127.0.0.1", "localhost"].includes(url.hostname) && !["data:", "blob:"].includes(url.protocol)) remote.push(request.url());
  });
  return remote;
}

async function screenshot(page: Page, name: string, testInfo: import("@playwright/test").TestInfo): Promise<void> {
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: "image/png" });
}

test("the home page explains the project and draws the process model", async ({ page }, testInfo) => {
  const remote = watchForRemoteRequests(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${origin}/`);
  await expect(page).toHaveTitle(/Desktop Django Starter/);
  await expect(page.locator(".VPHero .name")).toContainText("Desktop Django Starter");
  const diagram = page.locator("figure.process-model svg");
  await expect(diagram).toBeVisible();
  for (const part of ["Electron shell", "Django", "Worker", "SQLite", "App-data folder"]) {
    await expect(diagram.locator("text", { hasText: part }).first()).toBeVisible();
  }
  await page.getByRole("link", { name: "Get started" }).first().waitFor();
  await screenshot(page, "home", testInfo);
  expect(remote, "the site must work offline").toEqual([]);
});

test("the favicon is the brand mark, and the hero mark stays below the nav bar on a phone", async ({ page, request }, testInfo) => {
  for (const [file, type] of [["favicon.svg", "image/svg+xml"], ["favicon.ico", "image/x-icon"]]) {
    const response = await request.get(`${origin}/${file}`);
    expect(response.status(), file).toBe(200);
    expect(response.headers()["content-type"]).toBe(type);
  }
  expect(await (await request.get(`${origin}/favicon.svg`)).body()).toEqual(readFileSync(path.join(repoRoot, "assets", "brand", "pony.svg")));
  await page.setViewportSize({ width: 420, height: 900 });
  await page.goto(`${origin}/`);
  await expect(page.locator("link[rel=icon]")).toHaveAttribute("href", "/favicon.svg");
  const nav = (await page.locator(".VPNavBar").boundingBox())!;
  const mark = (await page.locator(".VPHero .brand-mark.large").boundingBox())!;
  expect(mark.y, "the hero mark starts below the nav bar").toBeGreaterThanOrEqual(nav.y + nav.height);
  await screenshot(page, "home-420px", testInfo);
});

const pages = chapterPages();

test("the site has at least one chapter page", () => {
  expect(pages.length).toBeGreaterThan(0);
});

for (const chapter of pages) {
  test(`chapter page ${chapter.slug} shows its title${chapter.hasPrevious ? " and its diff" : ""}`, async ({ page }, testInfo) => {
    const remote = watchForRemoteRequests(page);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${origin}/chapters/${chapter.slug}.html`);
    await expect(page.locator(".vp-doc h1")).toContainText(chapter.title);
    await expect(page).toHaveTitle(new RegExp(chapter.title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    if (chapter.hasPrevious) {
      const diff = page.locator(".chapter-diff");
      await expect(diff).toBeVisible();
      await expect(diff.locator("details.chapter-diff-file").first()).toBeVisible();
      await expect(diff.locator("details.chapter-diff-file[open] pre code").first()).toBeVisible();
      expect(await diff.locator(".line").count()).toBeGreaterThan(0);
      const cutOff = await diff.locator("details.chapter-diff-file[open] pre").evaluateAll((blocks) => blocks.filter((pre) => pre.scrollWidth > pre.clientWidth + 1).length);
      expect(cutOff, "diff lines wrap at the content width instead of scrolling sideways").toBe(0);
    }
    await expect(page.locator(".VPDocFooter .pager-link").first()).toBeVisible();
    if (chapter.slug === (pages.find((candidate) => candidate.hasPrevious) ?? pages[0])!.slug) {
      await screenshot(page, `chapter-${chapter.slug}`, testInfo);
    }
    expect(remote, "the site must work offline").toEqual([]);
  });
}
