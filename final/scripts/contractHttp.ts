/**
 * The HTTP half of `npm run check`: what the runtime contract promises to a
 * client, asked from outside over plain HTTP. Each function answers one check
 * and says, when it fails, what the Django project should change.
 *
 * node:http rather than fetch, because fetch will not send a foreign Host
 * header and hides Set-Cookie details; here every request is exactly the one
 * the check describes.
 */
import http from "node:http";
import { Parser } from "htmlparser2";
import { TOKEN_HEADER } from "../src/token";

export interface CheckResult {
  /** What was checked, in one line. */
  title: string;
  ok: boolean;
  /** On failure: what was seen. */
  problem?: string;
  /** On failure: what to do next. */
  advice?: string;
}

/** A backend to check: its URL (`http://127.0.0.1:<port>/`) and this session's token. */
export interface HttpTarget {
  url: string;
  token: string;
  /** Django's STATIC_URL as the page sees it, e.g. `/static/`. */
  staticUrl: string;
  /** Django's DEBUG, when known: the packaged settings must serve static files with it off. */
  debug?: boolean;
  /** True for a staged or packaged bundle, where DEBUG must be off. */
  packaged?: boolean;
  /** Django's LOGIN_URL as a path, when known: a redirect there means a login middleware caught a contract path. */
  loginUrl?: string;
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  setCookies: string[];
  body: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** The Host header; by default the target's own `127.0.0.1:<port>`. */
  host?: string;
  body?: string;
}

export const BOOTSTRAP_PATH = "/desktop-auth/bootstrap/";
export const HEALTH_PATH = "/health/";
/** `next` values a browser reads as another origin; the bootstrap URL must refuse each. */
export const FOREIGN_NEXT_VALUES = ["//evil.example/", "https://evil.example/", "/\\evil.example"];
const MAX_REDIRECTS = 10;

/** One request, exactly as described: no redirects followed, no cookies added. */
export function request(baseUrl: string, target: string, options: RequestOptions = {}): Promise<HttpAnswer> {
  const url = new URL(target, baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: options.method ?? "GET",
        headers: { Host: options.host ?? url.host, Connection: "close", ...options.headers },
        // A new connection per request: a kept-alive socket the server already closed would fail as "socket hang up".
        agent: false,
        timeout: 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, setCookies: res.headers["set-cookie"] ?? [], body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url.href} within 15 s`)));
    req.on("error", reject);
    req.end(options.body);
  });
}

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

function shortBody(body: string): string {
  const text = body.replace(/\s+/g, " ").trim();
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
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

/** The home page after same-origin redirects, fetched with the token header and the cookies it sets on the way. */
export interface HomePage {
  url: string;
  answer: HttpAnswer;
  cookies: Map<string, string>;
  /** The URLs visited, the first being `/`. */
  chain: string[];
}

function cookieHeaderOf(cookies: Map<string, string>): Record<string, string> {
  return cookies.size ? { Cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join("; ") } : {};
}

function storeCookies(cookies: Map<string, string>, setCookies: string[]): void {
  for (const header of setCookies) {
    const pair = header.split(";")[0]!;
    const separator = pair.indexOf("=");
    if (separator > 0) cookies.set(pair.slice(0, separator).trim(), pair.slice(separator + 1).trim());
  }
}

/** GETs `/` and follows redirects while they stay on the backend's origin; throws when one leaves it. */
export async function fetchHomePage(target: HttpTarget): Promise<HomePage> {
  const origin = new URL(target.url).origin;
  const cookies = new Map<string, string>();
  let url = new URL("/", target.url).href;
  const chain = [url];
  for (let hop = 0; ; hop += 1) {
    const answer = await request(target.url, url, { headers: { [TOKEN_HEADER]: target.token, ...cookieHeaderOf(cookies) } });
    storeCookies(cookies, answer.setCookies);
    const location = answer.headers.location;
    if (answer.status < 300 || answer.status > 399 || !location) return { url, answer, cookies, chain };
    const next = new URL(location, url);
    if (next.origin !== origin) throw new Error(`${new URL(url).pathname} redirected to another origin: ${next.href}`);
    if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects: ${chain.map((visited) => new URL(visited).pathname).join(" → ")}`);
    url = next.href;
    chain.push(url);
  }
}

function pathsOf(chain: string[]): string {
  return chain.map((url) => {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  }).join(" → ");
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

/** A resource a page asks the browser to load: the tag, the attribute and the URL as written. */
export interface PageResource {
  tag: string;
  attribute: string;
  value: string;
  /** For <link>: its rel, lowercased. */
  rel?: string;
}

/** link rel values that make the browser fetch nothing. */
const NON_LOADING_RELS = new Set(["canonical", "alternate", "author", "bookmark", "external", "help", "license", "next", "prev", "search", "nofollow", "noopener", "noreferrer", "me"]);
const LOADING_ATTRIBUTES: Record<string, string[]> = {
  script: ["src"],
  link: ["href"],
  img: ["src", "srcset"],
  iframe: ["src"],
  frame: ["src"],
  source: ["src", "srcset"],
  video: ["src", "poster"],
  audio: ["src"],
  track: ["src"],
  embed: ["src"],
  object: ["data"],
  input: ["src"],
};

/** Every URL the page's tags load, plus url() and @import in inline <style> and style attributes. */
export function pageResources(html: string): PageResource[] {
  const found: PageResource[] = [];
  let inStyle = false;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === "style") inStyle = true;
        if (attributes.style) for (const value of cssUrls(attributes.style)) found.push({ tag: name, attribute: "style", value });
        const rel = attributes.rel?.toLowerCase();
        if (name === "link" && rel && rel.split(/\s+/).every((word) => NON_LOADING_RELS.has(word))) return;
        for (const attribute of LOADING_ATTRIBUTES[name] ?? []) {
          const value = attributes[attribute]?.trim();
          if (!value) continue;
          const values = attribute === "srcset" ? value.split(",").map((candidate) => candidate.trim().split(/\s+/)[0]!).filter(Boolean) : [value];
          for (const each of values) found.push({ tag: name, attribute, value: each, ...(rel ? { rel } : {}) });
        }
      },
      ontext(text) {
        if (inStyle) for (const value of cssUrls(text)) found.push({ tag: "style", attribute: "url()", value });
      },
      onclosetag(name) {
        if (name === "style") inStyle = false;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return found;
}

/** The URLs a stylesheet loads: url(...) and @import "...". */
export function cssUrls(css: string): string[] {
  const urls: string[] = [];
  for (const match of css.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')/gi)) {
    const value = (match[1] ?? match[2] ?? match[3] ?? match[4] ?? match[5] ?? "").trim();
    if (value) urls.push(value);
  }
  return urls;
}

/** True when loading `value` from a page at `pageUrl` leaves the page's origin (data: and blob: stay local). */
export function isRemote(value: string, pageUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(value, pageUrl);
  } catch {
    return false;
  }
  if (url.protocol === "data:" || url.protocol === "blob:" || url.protocol === "about:" || url.protocol === "javascript:") return false;
  return url.origin !== new URL(pageUrl).origin;
}

function stylesheetsOf(home: HomePage): string[] {
  return pageResources(home.answer.body)
    .filter((resource) => resource.tag === "link" && resource.rel?.split(/\s+/).includes("stylesheet"))
    .map((resource) => new URL(resource.value, home.url).href)
    .filter((href) => new URL(href).origin === new URL(home.url).origin);
}

/** The page's own stylesheets, fetched; filled by checkStylesheets for checkNoRemoteLoads. */
export type FetchedStylesheets = Map<string, HttpAnswer>;

export function checkStylesheets(target: HttpTarget, home: HomePage | Error, fetched: FetchedStylesheets): Promise<CheckResult> {
  const debugNote = target.packaged ? "with DEBUG off" : target.debug === false ? "with DEBUG off" : "(development settings, DEBUG on)";
  return check(
    `the home page links its stylesheets under ${target.staticUrl} and they are served (200) ${debugNote}`,
    target.packaged
      ? "Serve static files without DEBUG: collect them into STATIC_ROOT at stage time and serve them through WhiteNoise or a static URL pattern behind the token middleware."
      : "Link stylesheets with {% static %} and let Django find them (STATICFILES_DIRS or an app's static/ folder).",
    async () => {
      if (home instanceof Error) return `no home page to read (${home.message})`;
      if (home.answer.status !== 200) return `no home page to read (it answered ${home.answer.status})`;
      if (target.packaged && target.debug !== false) return `the bundle's settings run with DEBUG=${String(target.debug)}`;
      const stylesheets = stylesheetsOf(home);
      if (stylesheets.length === 0) return "the home page links no stylesheet of its own";
      const problems: string[] = [];
      for (const href of stylesheets) {
        const { pathname } = new URL(href);
        if (!pathname.startsWith(target.staticUrl)) problems.push(`${pathname} is not under ${target.staticUrl}`);
        const answer = await request(target.url, href, { headers: { [TOKEN_HEADER]: target.token, ...cookieHeaderOf(home.cookies) } });
        fetched.set(href, answer);
        if (answer.status !== 200) problems.push(`${pathname} answered ${answer.status}`);
      }
      return problems.length ? problems.join("; ") : undefined;
    },
  );
}

export function checkNoRemoteLoads(home: HomePage | Error, fetched: FetchedStylesheets): Promise<CheckResult> {
  return check(
    "the home page and its stylesheets load nothing from another host (script, link, img, iframe, media, CSS url() and @import)",
    "A desktop app must work offline: download those files into a static/ folder (vendor them) and link them with {% static %}.",
    async () => {
      if (home instanceof Error) return `no home page to read (${home.message})`;
      const remote = pageResources(home.answer.body)
        .filter((resource) => isRemote(resource.value, home.url))
        .map((resource) => `<${resource.tag} ${resource.attribute}="${resource.value}">`);
      for (const [href, answer] of fetched) {
        if (answer.status !== 200) continue;
        for (const value of cssUrls(answer.body)) if (isRemote(value, href)) remote.push(`${new URL(href).pathname}: ${value}`);
      }
      return remote.length ? `it loads ${remote.join(", ")}` : undefined;
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
  const fetched: FetchedStylesheets = new Map();
  add(await checkStylesheets(target, home, fetched));
  add(await checkNoRemoteLoads(home, fetched));
  add(await checkPostWithoutCsrf(target, home));
  return results;
}
