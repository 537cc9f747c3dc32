/**
 * The plain HTTP client of `npm run check`: one request exactly as described
 * (no redirects followed, no cookies added), and a page fetch that follows
 * same-origin redirects with the session's token and the cookies set on the
 * way, as the shell's window would.
 *
 * node:http rather than fetch, because fetch will not send a foreign Host
 * header and hides Set-Cookie details; here every request is exactly the one
 * the check describes.
 */
import http from "node:http";
import { TOKEN_HEADER } from "../src/token";

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

/** The cookies a page session has been given, by name. */
export type CookieJar = Map<string, string>;

export function cookieHeaderOf(cookies: CookieJar): Record<string, string> {
  return cookies.size ? { Cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join("; ") } : {};
}

export function storeCookies(cookies: CookieJar, setCookies: string[]): void {
  for (const header of setCookies) {
    const pair = header.split(";")[0]!;
    const separator = pair.indexOf("=");
    if (separator > 0) cookies.set(pair.slice(0, separator).trim(), pair.slice(separator + 1).trim());
  }
}

/** A page after same-origin redirects, fetched with the token header and the cookies set on the way. */
export interface FetchedPage {
  url: string;
  answer: HttpAnswer;
  cookies: CookieJar;
  /** The URLs visited, the first being the one asked for. */
  chain: string[];
}

/** The home page: `/` after its same-origin redirects. */
export type HomePage = FetchedPage;

/** A redirect that leaves the backend's origin: the shell would open it outside the app window. */
export class LeftOriginError extends Error {}

/** GETs `start` with the token and `cookies` (updated in place) and follows redirects while they stay on the backend's origin; throws when one leaves it. */
export async function fetchPage(backend: { url: string; token: string }, start: string, cookies: CookieJar = new Map()): Promise<FetchedPage> {
  const origin = new URL(backend.url).origin;
  let url = new URL(start, backend.url).href;
  const chain = [url];
  for (let hop = 0; ; hop += 1) {
    const answer = await request(backend.url, url, { headers: { [TOKEN_HEADER]: backend.token, ...cookieHeaderOf(cookies) } });
    storeCookies(cookies, answer.setCookies);
    const location = answer.headers.location;
    if (answer.status < 300 || answer.status > 399 || !location) return { url, answer, cookies, chain };
    const next = new URL(location, url);
    if (next.origin !== origin) throw new LeftOriginError(`${new URL(url).pathname} redirected to another origin: ${next.href}`);
    if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects: ${pathsOf(chain)}`);
    url = next.href;
    chain.push(url);
  }
}

/** GETs `/` and follows redirects while they stay on the backend's origin; throws when one leaves it. */
export function fetchHomePage(backend: { url: string; token: string }): Promise<HomePage> {
  return fetchPage(backend, "/");
}

/** `/a → /b?x=1`: the paths of a redirect chain. */
export function pathsOf(chain: string[]): string {
  return chain
    .map((url) => {
      const parsed = new URL(url);
      return `${parsed.pathname}${parsed.search}`;
    })
    .join(" → ");
}

export function shortBody(body: string): string {
  const text = body.replace(/\s+/g, " ").trim();
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
