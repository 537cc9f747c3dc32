/**
 * `npm run check -- --browser`: the pages the walk reached, loaded in a real
 * browser. A plain HTTP client sees status codes; only a browser runs the
 * scripts and enforces the Content-Security-Policy, so only a browser sees a
 * script that throws, a file the policy blocks, or a console error.
 *
 * The browser opens the bootstrap URL first (the contract's way in for a
 * client that cannot inject the token header), so the token goes to the
 * backend alone and every page is loaded as the shell's window loads it.
 */
import { existsSync } from "node:fs";
import type { CheckResult, FoundBrowser, HttpTarget } from "./checkTypes";

export type { FoundBrowser } from "./checkTypes";

/**
 * The browser for --browser: DDS_CHROMIUM, else Playwright's own Chromium when
 * `npx playwright install chromium` has put it in Playwright's cache; undefined
 * when neither is there. (Electron's binary is not a browser Playwright's
 * chromium.launch() can drive, so it is not looked for.)
 */
export async function findBrowser(env: NodeJS.ProcessEnv = process.env): Promise<FoundBrowser | undefined> {
  if (env.DDS_CHROMIUM && existsSync(env.DDS_CHROMIUM)) return { source: "DDS_CHROMIUM", executablePath: env.DDS_CHROMIUM };
  try {
    const { chromium } = await import("playwright-core");
    const bundled = chromium.executablePath();
    if (bundled && existsSync(bundled)) return { source: "Playwright's Chromium", executablePath: bundled };
  } catch {
    // playwright-core is not installed: no Playwright browser either.
  }
  return undefined;
}

export const NO_BROWSER =
  "Browser check skipped: no browser found. Set DDS_CHROMIUM to a Chromium or Chrome executable (or run `npx playwright install chromium`) and check again with --browser.";

const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"];
/** How long a page may keep running its deferred scripts after `load` before the next page opens. */
const SETTLE_MS = 500;
const CSP_BINDING = "__desktopCheckCspViolation";

function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

/** A URL on the backend as its path; any other URL in full. */
function pathOrUrl(url: string, backend: string): string {
  return new URL(url).origin === new URL(backend).origin ? pathOf(url) : url;
}

/** Loads each of `pages` (same-origin URLs) in the browser; fails on any console error, uncaught exception or CSP violation. */
export async function checkInBrowser(target: HttpTarget, browser: FoundBrowser, pages: string[] | Error): Promise<CheckResult> {
  const count = pages instanceof Error ? "" : ` ${pages.length}`;
  const title = `in a browser (${browser.source}), the${count} pages the walk reached log no console error, no uncaught exception and no Content-Security-Policy violation`;
  const advice =
    "Open the page in `npm run backend` with the browser's developer tools: a script that throws or a missing file shows in the console; a CSP violation names the directive. " +
    "Move inline scripts and styles into static files, or widen the project's policy (SECURE_CSP in Django 6) for what the app really loads.";
  if (pages instanceof Error) return { title, ok: false, problem: pages.message, advice };
  const { chromium } = await import("playwright-core");
  const problems: string[] = [];
  let launched;
  try {
    launched = await chromium.launch({ executablePath: browser.executablePath, args: CHROMIUM_ARGS, headless: true });
  } catch (error) {
    return { title, ok: false, problem: `the browser at ${browser.executablePath} did not start: ${(error as Error).message.split("\n")[0]}`, advice: NO_BROWSER };
  }
  try {
    const page = await (await launched.newContext()).newPage();
    let current = "(bootstrap)";
    const seen = new Set<string>();
    const note = (text: string) => {
      const line = `${current}: ${text.replace(/\s+/g, " ").trim()}`;
      if (!seen.has(line)) problems.push(line);
      seen.add(line);
    };
    // The CSP's own event names the directive; Chromium's console line about the same violation is then left out.
    await page.exposeFunction(CSP_BINDING, (directive: string, blocked: string) => note(`CSP violation: ${directive} blocked ${blocked || "an inline script or style"}`));
    await page.addInitScript(`document.addEventListener("securitypolicyviolation", (event) => window.${CSP_BINDING}(event.effectiveDirective || event.violatedDirective, event.blockedURI));`);
    // A file that failed to load is named by its response; Chromium's console line about it names no URL.
    page.on("response", (response) => {
      if (response.status() >= 400) note(`${pathOrUrl(response.url(), target.url)} answered ${response.status()}`);
    });
    page.on("console", (message) => {
      const text = message.text();
      if (message.type() === "error" && !/Content Security Policy/i.test(text) && !/^Failed to load resource: the server responded/.test(text)) note(`console error: ${text}`);
    });
    page.on("pageerror", (error) => note(`uncaught ${error.name}: ${error.message}`));
    // The bootstrap URL sets the session's cookie and redirects to /health/, a page with no scripts of its own.
    await page.goto(new URL(`/desktop-auth/bootstrap/?${new URLSearchParams({ token: target.token, next: "/health/" })}`, target.url).href, { waitUntil: "load" });
    for (const url of pages) {
      current = pathOf(url);
      const answer = await page.goto(url, { waitUntil: "load" });
      if (answer && answer.status() >= 500) note(`answered ${answer.status()}`);
      await page.waitForTimeout(SETTLE_MS);
    }
  } catch (error) {
    problems.push(`the browser stopped: ${(error as Error).message.split("\n")[0]}`);
  } finally {
    await launched.close();
  }
  const shown = problems.slice(0, 8).join("; ") + (problems.length > 8 ? `; and ${problems.length - 8} more` : "");
  return problems.length ? { title, ok: false, problem: shown, advice } : { title, ok: true };
}
