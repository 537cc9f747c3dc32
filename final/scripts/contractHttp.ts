/**
 * The HTTP half of `npm run check`: what the runtime contract promises to a
 * client, asked from outside over plain HTTP (httpClient.ts), and what a user
 * would see of the app: the home page, the pages its links lead to and every
 * file they load (pageWalk.ts). Each function answers one check and says, when
 * it fails, what the Django project should change. A check that could not run
 * (no page to read) fails; it never holds by default.
 */
import { TOKEN_HEADER } from "../src/token";
import { cookieHeaderOf, fetchHomePage, pathsOf, request, shortBody, type HomePage, type HttpAnswer } from "./httpClient";
import { pageResources } from "./pageReading";
import { checkInBrowser } from "./browserCheck";
import type { CheckResult, HttpTarget } from "./checkTypes";
import { MAX_PAGES, walkApp, type Walk } from "./pageWalk";

export type { CheckResult, HttpTarget } from "./checkTypes";

export { fetchHomePage, request, type HomePage, type HttpAnswer, type RequestOptions } from "./httpClient";
export { cssReferences, cssUrls, isRemote, pageLinks, pageResources, stateChangeWord, type PageResource } from "./pageReading";


export const BOOTSTRAP_PATH = "/desktop-auth/bootstrap/";
export const HEALTH_PATH = "/health/";
/** `next` values a browser reads as another origin; the bootstrap URL must refuse each. */
export const FOREIGN_NEXT_VALUES = ["//evil.example/", "https://evil.example/", "/\\evil.example"];
/** A failure whose advice is not the check's usual one. */
interface Diagnosis {
  problem: string;
  advice: string;
}

/** Runs one check; an exception (refused connection, timeout) is a failure with its message. */
async function check(title: string, advice: string, body: () => Promise<string | Diagnosis | undefined>): Promise<CheckResult> {
  try {
    const problem = await body();
    if (problem === undefined) return { title, ok: true };
    return typeof problem === "string" ? { title, ok: false, problem, advice } : { title, ok: false, ...problem };
  } catch (error) {
    return { title, ok: false, problem: (error as Error).message, advice };
  }
}

function cookieNames(setCookies: string[]): string {
  return setCookies.map((cookie) => cookie.split("=")[0]!.trim()).join(", ");
}

/**
 * What to do when a contract path answers with a redirect to the login page:
 * the shell's readiness poll and the bootstrap URL never reach their views.
 */
export const LOGIN_REDIRECT_ADVICE =
  "A login middleware redirects this path: the contract's views must be reachable without a login; desktop_runtime marks them login_not_required (Django 5.1+), check that your middleware honours it or exempt these paths.";

/** For an answer that redirects to a login page (LOGIN_URL, or a path that says log in or sign in): what was seen and what to do. */
export function loginRedirect(answer: HttpAnswer, target: Pick<HttpTarget, "url" | "loginUrl">): Diagnosis | undefined {
  const location = answer.headers.location;
  if (answer.status < 300 || answer.status > 399 || !location) return undefined;
  const to = new URL(location, target.url);
  const loginPath = target.loginUrl ? new URL(target.loginUrl, target.url).pathname : undefined;
  const atLogin = (loginPath !== undefined && loginPath !== "/" && to.pathname === loginPath) || /log-?in|sign-?in/i.test(to.pathname);
  return atLogin ? { problem: `it answered ${answer.status}, a redirect to the login page ${location}`, advice: LOGIN_REDIRECT_ADVICE } : undefined;
}

export function checkHealth(target: HttpTarget): Promise<CheckResult> {
  return check(
    `${HEALTH_PATH} with the token answers 200 {"status": "ok"}`,
    "Include desktop_runtime.urls in the root URLconf and keep the health view free of database and login checks.",
    async () => {
      const answer = await request(target.url, HEALTH_PATH, { headers: { [TOKEN_HEADER]: target.token } });
      const login = loginRedirect(answer, target);
      if (login) return login;
      if (answer.status !== 200) return `it answered ${answer.status}: ${shortBody(answer.body)}`;
      let status: unknown;
      try {
        status = (JSON.parse(answer.body) as { status?: unknown }).status;
      } catch {
        return `it answered 200 but not JSON: ${shortBody(answer.body)}`;
      }
      return status === "ok" ? undefined : `it answered ${shortBody(answer.body)}`;
    },
  );
}

function checkRefused(title: string, headers: Record<string, string>): (target: HttpTarget) => Promise<CheckResult> {
  return (target) =>
    check(
      title,
      "Put desktop_runtime.middleware.DesktopHostMiddleware and DesktopTokenMiddleware first in the desktop settings' MIDDLEWARE, and set DESKTOP_DJANGO_AUTH_TOKEN from the environment.",
      async () => {
        const answer = await request(target.url, HEALTH_PATH, { headers });
        return answer.status === 403 ? undefined : `it answered ${answer.status}`;
      },
    );
}

export const checkHealthWithoutToken = checkRefused(`${HEALTH_PATH} without the token answers 403`, {});
export const checkHealthWithWrongToken = (target: HttpTarget) =>
  checkRefused(`${HEALTH_PATH} with a wrong token answers 403`, { [TOKEN_HEADER]: `${target.token.slice(0, -4)}XXXX` })(target);

export function checkForeignHost(target: HttpTarget): Promise<CheckResult> {
  const port = new URL(target.url).port;
  const hosts = [`evil.example:${port}`, `127.0.0.1.evil.example:${port}`];
  return check(
    `a foreign Host header (${hosts.join(", ")}) answers 400, even with the token`,
    "Put desktop_runtime.middleware.DesktopHostMiddleware first in MIDDLEWARE and keep ALLOWED_HOSTS to 127.0.0.1 and localhost in the desktop settings.",
    async () => {
      const problems: string[] = [];
      for (const host of hosts) {
        const answer = await request(target.url, HEALTH_PATH, { host, headers: { [TOKEN_HEADER]: target.token } });
        if (answer.status !== 400) problems.push(`Host ${host} answered ${answer.status}`);
      }
      return problems.length ? problems.join("; ") : undefined;
    },
  );
}

export function bootstrapPath(token: string, next: string): string {
  return `${BOOTSTRAP_PATH}?${new URLSearchParams({ token, next }).toString()}`;
}

export function checkBootstrapSetsCookie(target: HttpTarget): Promise<CheckResult> {
  const next = "/";
  return check(
    "the bootstrap URL with the token redirects to next and sets an HttpOnly SameSite=Strict cookie that opens the app",
    "Include desktop_runtime.urls and keep desktop_runtime.views.bootstrap as it is; no middleware may rewrite its answer.",
    async () => {
      const answer = await request(target.url, bootstrapPath(target.token, next));
      const login = loginRedirect(answer, target);
      if (login) return login;
      if (answer.status < 300 || answer.status > 399) return `it answered ${answer.status}, not a redirect`;
      const location = answer.headers.location ?? "";
      if (new URL(location, target.url).href !== new URL(next, target.url).href) return `it redirected to ${location || "nowhere"}, not to ${next}`;
      if (answer.setCookies.length === 0) return "it set no cookie";
      const weak = answer.setCookies.filter((cookie) => !/;\s*httponly\b/i.test(cookie) || !/;\s*samesite=strict\b/i.test(cookie));
      if (weak.length) return `cookie ${cookieNames(weak)} lacks HttpOnly or SameSite=Strict`;
      const cookie = answer.setCookies.map((header) => header.split(";")[0]!.trim()).join("; ");
      const withCookie = await request(target.url, HEALTH_PATH, { headers: { Cookie: cookie } });
      return withCookie.status === 200 ? undefined : `${HEALTH_PATH} with that cookie and no header answered ${withCookie.status}`;
    },
  );
}

/** A refused bootstrap must answer 403 and set no cookie at all: not the token's, not a session's, not CSRF's. */
function checkBootstrapRefused(title: string, query: (target: HttpTarget) => string): (target: HttpTarget) => Promise<CheckResult> {
  return (target) =>
    check(
      title,
      "Keep the bootstrap view as desktop_runtime ships it, and make sure no middleware (sessions, auto-login, CSRF, language) sets a cookie on /desktop-auth/bootstrap/: an auto-login middleware must skip that path.",
      async () => {
        const answer = await request(target.url, query(target));
        const login = loginRedirect(answer, target);
        if (login) return login;
        const problems: string[] = [];
        if (answer.status !== 403) problems.push(`it answered ${answer.status}${answer.headers.location ? ` to ${answer.headers.location}` : ""}`);
        if (answer.setCookies.length) problems.push(`it set cookie${answer.setCookies.length > 1 ? "s" : ""} ${cookieNames(answer.setCookies)}`);
        return problems.length ? problems.join(" and ") : undefined;
      },
    );
}

export const checkBootstrapWrongToken = checkBootstrapRefused("the bootstrap URL with a wrong token answers 403 and sets no cookie", (target) =>
  bootstrapPath(`${target.token.slice(0, -4)}XXXX`, "/"),
);

export function checkBootstrapForeignNext(next: string): (target: HttpTarget) => Promise<CheckResult> {
  return checkBootstrapRefused(`the bootstrap URL with next=${next} answers 403 and sets no cookie, even with the token`, (target) =>
    bootstrapPath(target.token, next),
  );
}

export function checkHomePage(target: HttpTarget, home: HomePage | Error): Promise<CheckResult> {
  return check(
    "the home page (/, following same-origin redirects, with the token) answers 200",
    "Open the URL in `npm run backend` and read the log: a redirect to another host or an error page means the project's URLconf or a middleware needs a desktop setting.",
    async () => {
      if (home instanceof Error) return home.message;
      return home.answer.status === 200 ? undefined : `${pathsOf(home.chain)} answered ${home.answer.status}: ${shortBody(home.answer.body)}`;
    },
  ).then((result) => (result.ok && !(home instanceof Error) ? { ...result, title: `${result.title} (${pathsOf(home.chain)})` } : result));
}

function stylesheetsOf(home: HomePage): string[] {
  return pageResources(home.answer.body)
    .filter((resource) => resource.tag === "link" && resource.rel?.split(/\s+/).includes("stylesheet"))
    .map((resource) => new URL(resource.value, home.url).href)
    .filter((href) => new URL(href).origin === new URL(home.url).origin);
}

function debugNoteOf(target: HttpTarget): string {
  return target.packaged || target.debug === false ? "with DEBUG off" : "(development settings, DEBUG on)";
}

const PACKAGED_STATIC_ADVICE =
  "Serve static files without DEBUG: collect them into STATIC_ROOT at stage time and serve them through WhiteNoise or a static URL pattern behind the token middleware.";

/**
 * Why a page links none of its scripts and stylesheets, or links ones that are
 * not there: the frontend build's output is missing. A template tag that reads
 * a build manifest (Vite, webpack) renders nothing when it finds none.
 */
export function missingBuildOutputAdvice(packaged: boolean): string {
  return packaged
    ? "The frontend build's output is missing from the bundle. Either the build did not run: set frontendBuild in src/project.ts to its commands (the stage runs them before collectstatic) and run `npm run stage` again. " +
        "Or a setting naming the build's manifest (VITE_MANIFEST_PATH, django-vite's manifest_path, webpack-loader's STATS_FILE) points at a file the bundle lacks: outside manage.py's folder, " +
        "in a dot folder collectstatic skips (.vite/), or moved into the app-data folder by a desktop_settings/writable.py rule; point it at the collected copy under STATIC_ROOT in desktop_settings/packaged.py. " +
        "Then `npm run check -- --staged` again."
    : "A template that links its files from a frontend build's manifest (Vite, webpack) links nothing until the build has run: run the build (frontendBuild's commands in src/project.ts) and check again; " +
        "else link stylesheets with {% static %} and let Django find them (STATICFILES_DIRS or an app's static/ folder).";
}

export function checkStylesheets(target: HttpTarget, home: HomePage | Error): Promise<CheckResult> {
  return check(
    `the home page links its stylesheets under ${target.staticUrl} and they are served (200) ${debugNoteOf(target)}`,
    target.packaged ? PACKAGED_STATIC_ADVICE : "Link stylesheets with {% static %} and let Django find them (STATICFILES_DIRS or an app's static/ folder).",
    async () => {
      if (home instanceof Error) return `not run: no home page to read (${home.message})`;
      if (home.answer.status !== 200) return `not run: the home page answered ${home.answer.status}`;
      if (target.packaged && target.debug !== false) return `the bundle's settings run with DEBUG=${String(target.debug)}`;
      const stylesheets = stylesheetsOf(home);
      if (stylesheets.length === 0) return { problem: "the home page links no stylesheet of its own", advice: missingBuildOutputAdvice(Boolean(target.packaged)) };
      const problems: string[] = [];
      for (const href of stylesheets) {
        const { pathname } = new URL(href);
        if (!pathname.startsWith(target.staticUrl)) problems.push(`${pathname} is not under ${target.staticUrl}`);
        const answer = await request(target.url, href, { headers: { [TOKEN_HEADER]: target.token, ...cookieHeaderOf(home.cookies) } });
        if (answer.status !== 200) problems.push(`${pathname} answered ${answer.status}`);
      }
      return problems.length ? problems.join("; ") : undefined;
    },
  );
}

/** The walk from the home page (pageWalk.ts), or why it could not run. */
export async function walkFromHome(target: HttpTarget, home: HomePage | Error): Promise<Walk | Error> {
  if (home instanceof Error) return new Error(`not run: no home page to read (${home.message})`);
  if (home.answer.status !== 200) return new Error(`not run: the home page answered ${home.answer.status}`);
  try {
    return await walkApp(target, home, target.maxPages);
  } catch (error) {
    return error as Error;
  }
}

/** `a, b, c and 4 more`: a list cut to its first `shown` items. */
function listed(items: string[], shown = 8): string {
  return `${items.slice(0, shown).join("; ")}${items.length > shown ? `; and ${items.length - shown} more` : ""}`;
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

export function checkWalkedPages(target: HttpTarget, walk: Walk | Error): Promise<CheckResult> {
  const limit = target.maxPages ?? MAX_PAGES;
  const title = `the pages the home page's links lead to (same origin, GET only, at most ${limit}; logout, delete and other state-changing links not followed) answer without a server error`;
  return check(
    title,
    "Open each page in `npm run backend` and read the backend's log: a 5xx is an exception under the desktop settings, often a setting, a file or an environment variable they lack, or a path read relative to another working directory.",
    async () => {
      if (walk instanceof Error) return walk.message;
      const problems = walk.pages.flatMap((page) => {
        const linked = page.from ? ` (linked from ${pathOf(page.from)})` : "";
        if (page.error) return [`${pathOf(page.url)}${linked}: ${page.error}`];
        return page.status >= 500 ? [`${pathOf(page.url)}${linked} answered ${page.status}`] : [];
      });
      return problems.length ? listed(problems) : undefined;
    },
  ).then((result) => {
    if (!result.ok || walk instanceof Error) return result;
    const skipped = walk.skipped.length ? `; not followed: ${listed(walk.skipped, 4)}` : "";
    const more = walk.unvisited ? `; ${walk.unvisited} more links left for the limit` : "";
    return { ...result, title: `${title} (${walk.pages.length} page${walk.pages.length === 1 ? "" : "s"}${skipped}${more})` };
  });
}

export function checkWalkedAssets(target: HttpTarget, walk: Walk | Error): Promise<CheckResult> {
  const title = `every same-origin script, stylesheet (with its @import and url()) and image of those pages answers 200 ${debugNoteOf(target)}`;
  return check(
    title,
    target.packaged
      ? `A file that answers 404 is not among the collected static files. ${missingBuildOutputAdvice(true)} Link files with {% static %}.`
      : "Link files with {% static %} and make sure each exists where a static-files finder looks (STATICFILES_DIRS or an app's static/ folder); a file a frontend build writes must be built first.",
    async () => {
      if (walk instanceof Error) return walk.message;
      if (target.packaged && target.debug !== false) return `the bundle's settings run with DEBUG=${String(target.debug)}`;
      const problems = walk.assets
        .filter((asset) => asset.error || asset.status !== 200)
        .map((asset) => `${pathOf(asset.url)} (${asset.kind} of ${asset.from}) ${asset.error ? `failed: ${asset.error}` : `answered ${asset.status}`}`);
      return problems.length ? listed(problems) : undefined;
    },
  ).then((result) => (result.ok && !(walk instanceof Error) ? { ...result, title: `${title} (${walk.assets.length} file${walk.assets.length === 1 ? "" : "s"})` } : result));
}

export function checkNoRemoteLoads(walk: Walk | Error): Promise<CheckResult> {
  return check(
    "those pages and their stylesheets load nothing from another host (script, link, img, iframe, media, CSS url() and @import)",
    "A desktop app must work offline: download those files into a static/ folder (vendor them) and link them with {% static %}.",
    async () => {
      if (walk instanceof Error) return walk.message;
      const unread = walk.assets.filter((asset) => asset.kind === "stylesheet" && asset.status !== 200).map((asset) => pathOf(asset.url));
      const problems = [
        ...(walk.remote.length ? [`they load ${listed(walk.remote)}`] : []),
        ...(unread.length ? [`not run for ${unread.join(", ")}: the stylesheet could not be read`] : []),
      ];
      return problems.length ? problems.join("; ") : undefined;
    },
  );
}

export function checkPostWithoutCsrf(target: HttpTarget, home: HomePage | Error): Promise<CheckResult> {
  return check(
    "a POST without a CSRF token (with the shell token) answers 403",
    "Keep django.middleware.csrf.CsrfViewMiddleware in the desktop settings' MIDDLEWARE: the shell token is no CSRF protection.",
    async () => {
      const url = home instanceof Error ? new URL("/", target.url).href : home.url;
      const answer = await request(target.url, url, {
        method: "POST",
        headers: { [TOKEN_HEADER]: target.token, "Content-Type": "application/x-www-form-urlencoded" },
        body: "contract-check=1",
      });
      return answer.status === 403 ? undefined : `POST ${new URL(url).pathname} answered ${answer.status}`;
    },
  );
}

/** Every HTTP check of the contract against one running backend, in the order they print. */
export async function checkHttpContract(target: HttpTarget, report: (result: CheckResult) => void = () => undefined): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const add = (result: CheckResult) => {
    results.push(result);
    report(result);
  };
  add(await checkHealth(target));
  add(await checkHealthWithoutToken(target));
  add(await checkHealthWithWrongToken(target));
  add(await checkForeignHost(target));
  add(await checkBootstrapSetsCookie(target));
  add(await checkBootstrapWrongToken(target));
  for (const next of FOREIGN_NEXT_VALUES) add(await checkBootstrapForeignNext(next)(target));
  const home = await fetchHomePage(target).catch((error: Error) => error);
  add(await checkHomePage(target, home));
  add(await checkStylesheets(target, home));
  const walk = await walkFromHome(target, home);
  add(await checkWalkedPages(target, walk));
  add(await checkWalkedAssets(target, walk));
  add(await checkNoRemoteLoads(walk));
  if (target.browser) add(await checkInBrowser(target, target.browser, walk instanceof Error ? walk : walk.pages.filter((page) => page.html).map((page) => page.url)));
  add(await checkPostWithoutCsrf(target, home));
  return results;
}
