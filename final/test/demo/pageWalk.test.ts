/**
 * The walk of `npm run check` against the real Django: the demo project (its
 * URLconf and static files, so this lives with the demo's tests) with
 * a few pages added by a test URLconf, each broken the way real projects
 * break (a view that raises, a script or an image that is not there, a
 * stylesheet linked in an unusual form, a link to a failing page), and links
 * the walk must never follow (a logout and a delete that raise if followed).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../../src/app";
import { contractEnv, resolveBackend } from "../../src/backendRoot";
import { generateToken } from "../../src/token";
import { formatResult, runContractChecks } from "../../scripts/contractChecks";
import { checkInBrowser, findBrowser } from "../../scripts/browserCheck";
import { checkHttpContract, checkNoRemoteLoads, checkWalkedAssets, checkWalkedPages, walkFromHome, type HttpTarget } from "../../scripts/contractHttp";
import { fetchPage } from "../../scripts/httpClient";
import { tempDir } from "../helpers";

const development = resolveBackend({ isPackaged: false });

/** Pages served by the test URLconf, in front of the demo's own URLs. */
const WALK_URLS = `
from django.http import HttpResponse
from django.urls import include, path

from ${development.settingsModule.replace(/\.settings\.\w+$/, "")}.urls import urlpatterns as demo_urlpatterns

STYLE = '<link rel="stylesheet" href="/static/flying_stable/flying_stable.css">'


def page(body):
    return lambda request, **kwargs: HttpResponse(f"<!doctype html><html><head>{STYLE}</head><body>{body}</body></html>")


def fails(request, **kwargs):
    raise RuntimeError("this view fails on purpose")


def stylesheet(request):
    return HttpResponse('@import "/static/walk/missing-import.css";\\nbody { color: black; }', content_type="text/css")


urlpatterns = [
    path("walk/ok/", page(
        '<script src="/static/flying_stable/dialogs.js" defer></script>'
        '<a href="/walk/ok/second/">Second</a> <a href="/walk/logout/">Log out</a> <a href="/walk/items/3/delete/">Delete</a>'
    )),
    path("walk/ok/second/", page('<a href="/walk/ok/">Back</a>')),
    path("walk/logout/", fails),
    path("walk/items/<int:pk>/delete/", fails),
    path("walk/boom/", fails),
    path("walk/links-to-boom/", page('<a href="/walk/boom/">Broken</a>')),
    path("walk/script-404/", page('<script defer src="/static/walk/missing.js"></script>')),
    path("walk/odd-stylesheet/", page('<LINK media="all" HREF="/static/walk/missing.css" type="text/css" REL="Stylesheet">')),
    path("walk/style-import/", page('<style>@import url("/static/walk/missing-style.css");</style>')),
    path("walk/sheet.css", stylesheet),
    path("walk/css-import/", page('<link href="/walk/sheet.css" rel="stylesheet">')),
    path("walk/image-404/", page('<img alt="" srcset="/static/walk/missing.png 2x">')),
    path("walk/csp/", page('<script>document.title = "inline, which script-src self forbids";</script>')),
    path("walk/throws.js", lambda request: HttpResponse('throw new Error("thrown on purpose");', content_type="text/javascript")),
    path("walk/throws/", page('<script src="/walk/throws.js"></script><a href="/walk/csp/">CSP</a>')),
    path("", include(demo_urlpatterns)),
]
`;

/** A settings module on the demo's development settings with the test URLconf; `homeFails` makes `/` itself raise. */
function walkSettings(name: string, homeFails = false): string {
  const dir = tempDir("dds-walk-settings-");
  const urls = homeFails ? `${WALK_URLS}\nurlpatterns.insert(0, path("", fails))\n` : WALK_URLS;
  writeFileSync(path.join(dir, `${name}_urls.py`), urls);
  writeFileSync(path.join(dir, `${name}.py`), `from ${development.settingsModule} import *  # noqa: F403\n\nROOT_URLCONF = "${name}_urls"\n`);
  return dir;
}

async function withPythonPath<T>(dir: string, body: () => Promise<T>): Promise<T> {
  const saved = process.env.PYTHONPATH;
  process.env.PYTHONPATH = dir;
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env.PYTHONPATH;
    else process.env.PYTHONPATH = saved;
  }
}

describe("the walk against the real Django", () => {
  let app: RunningApp;
  let target: HttpTarget;

  beforeAll(async () => {
    const settingsModule = "contract_walk_settings";
    const appDataDir = tempDir("dds-walk-");
    const token = generateToken();
    const root = { ...development, settingsModule };
    app = await withPythonPath(walkSettings(settingsModule), () =>
      startApp({
        python: root.python,
        managePy: root.managePy,
        env: contractEnv(root, appDataDir, token),
        token,
        logFile: path.join(appDataDir, "logs", "backend.log"),
        workerLogFile: path.join(appDataDir, "logs", "worker.log"),
        log: () => undefined,
      }),
    );
    target = { url: app.backend.url, token, staticUrl: "/static/", debug: true };
  }, 120_000);
  afterAll(() => app?.stop());

  async function walkChecks(start: string) {
    const walk = await walkFromHome(target, await fetchPage(target, start));
    return { walk, pages: await checkWalkedPages(target, walk), assets: await checkWalkedAssets(target, walk), remote: await checkNoRemoteLoads(walk) };
  }

  it("holds on pages that work, and never follows the logout or the delete link", async () => {
    const { walk, pages, assets, remote } = await walkChecks("/walk/ok/");
    expect([pages, assets, remote].filter((result) => !result.ok).map(formatResult)).toEqual([]);
    expect(walk instanceof Error ? [] : walk.pages.map((page) => new URL(page.url).pathname)).toEqual(["/walk/ok/", "/walk/ok/second/"]);
    expect(pages.title).toContain("not followed: /walk/logout/ (logout); /walk/items/3/delete/ (delete)");
    expect(walk instanceof Error ? [] : walk.assets.map((asset) => `${asset.kind} ${new URL(asset.url).pathname} ${asset.status}`)).toEqual([
      "stylesheet /static/flying_stable/flying_stable.css 200",
      "script /static/flying_stable/dialogs.js 200",
    ]);
  });

  const cases: [string, string, "pages" | "assets", string][] = [
    ["a page that answers 500", "/walk/boom/", "pages", "not run: the home page answered 500"],
    ["a link to a page that answers 500", "/walk/links-to-boom/", "pages", "/walk/boom/ (linked from /walk/links-to-boom/) answered 500"],
    ["a script that is not there", "/walk/script-404/", "assets", "/static/walk/missing.js (script of /walk/script-404/) answered 404"],
    ["a stylesheet linked with its attributes in another order and case", "/walk/odd-stylesheet/", "assets", "/static/walk/missing.css (stylesheet of /walk/odd-stylesheet/) answered 404"],
    ["a stylesheet @imported by a <style> element", "/walk/style-import/", "assets", "/static/walk/missing-style.css (stylesheet of /walk/style-import/) answered 404"],
    ["a stylesheet @imported by another stylesheet", "/walk/css-import/", "assets", "/static/walk/missing-import.css (stylesheet of /walk/sheet.css) answered 404"],
    ["an image in a srcset that is not there", "/walk/image-404/", "assets", "/static/walk/missing.png (image of /walk/image-404/) answered 404"],
  ];
  it.each(cases)("fails on %s", async (_name, start, failing, problem) => {
    const results = await walkChecks(start);
    expect(results[failing].ok).toBe(false);
    expect(results[failing].problem).toBe(problem);
    expect(results[failing].advice).toBeTruthy();
  });

  // .ci/run sets DDS_CHROMIUM to Debian's Chromium; without it the browser half is not provable here.
  describe.skipIf(!process.env.DDS_CHROMIUM)("with --browser (DDS_CHROMIUM)", () => {
    it("holds on the demo's pages", async () => {
      const browser = await findBrowser();
      const results = await checkHttpContract({ ...target, browser });
      expect(results.filter((result) => !result.ok).map(formatResult)).toEqual([]);
      expect(results.at(-2)!.title).toMatch(/^in a browser \(DDS_CHROMIUM\), the \d+ pages the walk reached log no console error/);
    });

    it("fails on a Content-Security-Policy violation and on a script that throws, naming the page", async () => {
      const browser = (await findBrowser())!;
      const walk = await walkFromHome(target, await fetchPage(target, "/walk/throws/"));
      const pages = walk instanceof Error ? walk : walk.pages.map((page) => page.url);
      const result = await checkInBrowser(target, browser, pages);
      expect(result.ok).toBe(false);
      expect(result.problem).toContain("/walk/throws/: uncaught Error: thrown on purpose");
      expect(result.problem).toMatch(/\/walk\/csp\/: CSP violation: script-src-elem blocked inline/);
      expect(result.advice).toContain("SECURE_CSP");
    });
  });

  it("finds the browser DDS_CHROMIUM names, and skips a DDS_CHROMIUM that is not there", async () => {
    expect(await findBrowser({ DDS_CHROMIUM: process.execPath })).toEqual({ source: "DDS_CHROMIUM", executablePath: process.execPath });
    expect((await findBrowser({ DDS_CHROMIUM: path.join(tempDir(), "no-chromium") }))?.source).not.toBe("DDS_CHROMIUM");
  });
});

describe("npm run check on a project whose home page answers 500", () => {
  it("reports every check that needed the page as failed, none as held", async () => {
    const settingsModule = "contract_walk_home_fails_settings";
    const results = await withPythonPath(walkSettings(settingsModule, true), () =>
      runContractChecks({ root: { ...development, settingsModule }, appDataDir: tempDir("dds-walk-home-fails-"), settleMs: 0 }),
    );
    const byStart = (start: string) => results.find((result) => result.title.startsWith(start))!;
    expect(byStart("the home page (/, following same-origin redirects").problem).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ answered 500|^\/ answered 500/);
    for (const start of ["the home page links its stylesheets", "the pages the home page's links lead to", "every same-origin script, stylesheet", "those pages and their stylesheets load nothing"]) {
      expect(byStart(start).ok, start).toBe(false);
      expect(byStart(start).problem, start).toBe("not run: the home page answered 500");
    }
    expect(byStart("a second start on the same app data").ok).toBe(false);
  }, 180_000);
});
