/**
 * Each HTTP check of `npm run check` against a small fake backend that keeps
 * the contract, and against copies of it that break one promise each: the
 * check for that promise must fail, and only that one.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { checkHttpContract, cssReferences, cssUrls, isRemote, pageLinks, pageResources, request, stateChangeWord, type CheckResult } from "../scripts/contractHttp";
import { TOKEN_HEADER } from "../src/token";

interface Breaks {
  healthBody?: boolean;
  openHealth?: boolean;
  acceptWrongToken?: boolean;
  anyHost?: boolean;
  weakCookie?: boolean;
  cookieOnRefusal?: boolean;
  followForeignNext?: boolean;
  redirectAway?: boolean;
  stylesheetOutsideStatic?: boolean;
  missingStylesheet?: boolean;
  /** What a template tag reading a frontend build's manifest renders when it finds none: no stylesheet, no script. */
  unbuilt?: boolean;
  remoteScript?: boolean;
  remoteCssImport?: boolean;
  postWithoutCsrf?: boolean;
  homeServerError?: boolean;
  linkedPageServerError?: boolean;
  missingScript?: boolean;
  missingImageOnLinkedPage?: boolean;
  remoteImageOnLinkedPage?: boolean;
}

const TOKEN = "a-token-for-the-fake-backend-0123456789abcdef";
const COOKIE = "desktop_django_token";
const servers: http.Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function samePath(next: string): boolean {
  return next.startsWith("/") && !next.startsWith("//") && !next.includes("\\");
}

/** A backend that keeps the contract the way desktop_runtime does, unless told to break one promise. */
async function fakeBackend(breaks: Breaks = {}): Promise<string> {
  const server = http.createServer((req, res) => {
    const port = (server.address() as AddressInfo).port;
    const url = new URL(req.url ?? "/", `http://127.0.0.1:${port}`);
    const send = (status: number, body = "", headers: Record<string, string | string[]> = {}) => {
      res.writeHead(status, headers);
      res.end(body);
    };
    if (!breaks.anyHost && ![`127.0.0.1:${port}`, `localhost:${port}`].includes(req.headers.host ?? "")) return send(400, "bad host");
    if (url.pathname === "/desktop-auth/bootstrap/") {
      const next = url.searchParams.get("next") ?? "/";
      const refusal: Record<string, string> = breaks.cookieOnRefusal ? { "Set-Cookie": "sessionid=abc; HttpOnly; SameSite=Lax" } : {};
      if (!breaks.followForeignNext && !samePath(next)) return send(403, "forbidden", refusal);
      if (url.searchParams.get("token") !== TOKEN) return send(403, "forbidden", refusal);
      const cookie = `${COOKIE}=${TOKEN}; Path=/; SameSite=Strict${breaks.weakCookie ? "" : "; HttpOnly"}`;
      return send(302, "", { Location: next, "Set-Cookie": cookie });
    }
    const header = req.headers[TOKEN_HEADER.toLowerCase()];
    const cookieToken = /desktop_django_token=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
    const carries = header === TOKEN || cookieToken === TOKEN || (breaks.acceptWrongToken && typeof header === "string" && header.length > 0);
    if (!carries && !(breaks.openHealth && url.pathname === "/health/")) return send(403, "forbidden");
    if (req.method === "POST") return breaks.postWithoutCsrf ? send(200, "saved") : send(403, "CSRF verification failed");
    switch (url.pathname) {
      case "/health/":
        return send(200, JSON.stringify({ status: breaks.healthBody ? "starting" : "ok" }), { "Content-Type": "application/json" });
      case "/":
        return send(302, "", { Location: breaks.redirectAway ? "https://evil.example/" : "/home/" });
      case "/home/": {
        if (breaks.homeServerError) return send(500, "<h1>Server Error (500)</h1>", { "Content-Type": "text/html" });
        const stylesheet = breaks.stylesheetOutsideStatic ? "/assets/site.css" : breaks.missingStylesheet ? "/static/missing.css" : "/static/site.css";
        const script = breaks.remoteScript ? '<script src="https://cdn.example/app.js"></script>' : `<script src="/static/${breaks.missingScript ? "missing" : "app"}.js"></script>`;
        return send(
          200,
          `<!doctype html><html><head><link rel="canonical" href="https://example.com/">${breaks.unbuilt ? "" : `<link href="${stylesheet}" rel="stylesheet">${script}`}</head>` +
            `<body><img src="data:image/png;base64,AAAA" alt=""><!-- <script src="https://commented.example/out.js"></script> -->` +
            // Links the walk follows, and links it must not: each of the last three answers 500 if it is followed.
            `<a href="/catalog/">Catalog</a><a href="https://example.com/elsewhere/">Elsewhere</a><a href="/home/#top">Top</a>` +
            `<a href="/logout/">Log out</a><a href="/catalog/3/delete/">Delete</a><a href="/catalog/3/" data-method="delete">Delete too</a></body></html>`,
          { "Content-Type": "text/html" },
        );
      }
      case "/catalog/": {
        const image = breaks.remoteImageOnLinkedPage ? "https://images.example/cover.png" : breaks.missingImageOnLinkedPage ? "/static/missing.png" : "/static/bg.png";
        const broken = breaks.linkedPageServerError ? '<a href="/catalog/broken/">Broken</a>' : "";
        return send(200, `<!doctype html><title>Catalog</title><img srcset="${image} 2x" alt=""><a href="/home/">Home</a>${broken}`, { "Content-Type": "text/html" });
      }
      case "/catalog/broken/":
      case "/logout/":
      case "/catalog/3/delete/":
      case "/catalog/3/":
        return send(500, "<h1>Server Error (500)</h1>", { "Content-Type": "text/html" });
      case "/static/site.css":
      case "/assets/site.css":
        return send(200, `${breaks.remoteCssImport ? '@import url("https://fonts.example/face.css");\n' : ""}body { background: url(/static/bg.png); }`, {
          "Content-Type": "text/css",
        });
      case "/static/app.js":
        return send(200, "document.title;", { "Content-Type": "text/javascript" });
      case "/static/bg.png":
        return send(200, "PNG", { "Content-Type": "image/png" });
      default:
        return send(404, "not found");
    }
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function run(breaks: Breaks = {}): Promise<CheckResult[]> {
  return checkHttpContract({ url: await fakeBackend(breaks), token: TOKEN, staticUrl: "/static/", debug: false, packaged: true });
}

function failedIndexes(results: CheckResult[]): number[] {
  return results.flatMap((result, index) => (result.ok ? [] : [index]));
}

describe("the HTTP checks of npm run check", () => {
  it("all hold against a backend that keeps the contract", async () => {
    const results = await run();
    expect(results.filter((result) => !result.ok)).toEqual([]);
    expect(results).toHaveLength(15);
    const pages = results[11]!.title;
    expect(pages).toMatch(/\(2 pages; not followed: \/logout\/ \(logout\); \/catalog\/3\/delete\/ \(delete\); \/catalog\/3\/ \(DELETE by script\)\)$/);
    expect(results[12]!.title).toMatch(/\(3 files\)$/);
  });

  // Indexes in the order checkHttpContract runs them:
  // 0 health, 1 no token, 2 wrong token, 3 foreign Host, 4 bootstrap cookie, 5 bootstrap wrong token,
  // 6-8 bootstrap foreign next values, 9 home page, 10 stylesheets, 11 pages the links lead to,
  // 12 the files those pages load, 13 remote loads, 14 POST without CSRF.
  const cases: [string, Breaks, number[]][] = [
    ["/health/ answers something other than status ok", { healthBody: true }, [0]],
    ["/health/ needs no token", { openHealth: true }, [1, 2]],
    ["any token value is accepted", { acceptWrongToken: true }, [2]],
    ["a foreign Host is served", { anyHost: true }, [3]],
    ["the bootstrap cookie is not HttpOnly", { weakCookie: true }, [4]],
    ["a refused bootstrap still sets a session cookie", { cookieOnRefusal: true }, [5, 6, 7, 8]],
    ["the bootstrap URL follows a foreign next", { followForeignNext: true }, [6, 7, 8]],
    ["the home page redirects to another origin", { redirectAway: true }, [9, 10, 11, 12, 13]],
    // Nothing on a 500 page can be read: the checks that need it fail as not run instead of holding.
    ["the home page answers 500", { homeServerError: true }, [9, 10, 11, 12, 13]],
    ["the stylesheet is outside the static URL", { stylesheetOutsideStatic: true }, [10]],
    ["the stylesheet is not served", { missingStylesheet: true }, [10, 12, 13]],
    ["a page the home page links to answers 500", { linkedPageServerError: true }, [11]],
    ["the home page's script is not served", { missingScript: true }, [12]],
    ["an image on a linked page is not served", { missingImageOnLinkedPage: true }, [12]],
    ["the page loads a script from a CDN", { remoteScript: true }, [13]],
    ["the stylesheet imports a remote font sheet", { remoteCssImport: true }, [13]],
    ["a linked page loads an image from another host", { remoteImageOnLinkedPage: true }, [13]],
    ["a POST without CSRF is accepted", { postWithoutCsrf: true }, [14]],
  ];
  it.each(cases)("fail where they should when %s", async (_name, breaks, expected) => {
    const results = await run(breaks);
    expect(failedIndexes(results)).toEqual(expected);
    for (const index of expected) {
      expect(results[index]!.problem).toBeTruthy();
      expect(results[index]!.advice).toBeTruthy();
    }
  });

  it("name the cookie a refused bootstrap set, and the remote URL a page loads", async () => {
    const refused = await run({ cookieOnRefusal: true });
    expect(refused[5]!.problem).toBe("it set cookie sessionid");
    const remote = await run({ remoteScript: true, remoteCssImport: true });
    expect(remote[13]!.problem).toContain('/home/: <script src="https://cdn.example/app.js">');
    expect(remote[13]!.problem).toContain("/static/site.css: https://fonts.example/face.css");
    const missing = await run({ missingScript: true, linkedPageServerError: true, homeServerError: false });
    expect(missing[11]!.problem).toBe("/catalog/broken/ (linked from /catalog/) answered 500");
    expect(missing[12]!.problem).toBe("/static/missing.js (script of /home/) answered 404");
    const down = await run({ homeServerError: true });
    expect(down[13]!.problem).toBe("not run: the home page answered 500");
  });

  it("point a page without its build's stylesheet at the build and the manifest setting, not at serving static files", async () => {
    const results = await run({ unbuilt: true });
    expect(failedIndexes(results)).toEqual([10]);
    expect(results[10]!.problem).toBe("the home page links no stylesheet of its own");
    expect(results[10]!.advice).toContain("The frontend build's output is missing from the bundle");
    expect(results[10]!.advice).toContain("set frontendBuild in src/project.ts");
    expect(results[10]!.advice).toContain("VITE_MANIFEST_PATH");
    expect(results[10]!.advice).toContain("point it at the collected copy under STATIC_ROOT in desktop_settings/packaged.py");
    expect(results[10]!.advice).not.toContain("Serve static files without DEBUG");
  });

  it("count DEBUG on in a bundle as a failure of the static-files check", async () => {
    const results = await checkHttpContract({ url: await fakeBackend(), token: TOKEN, staticUrl: "/static/", debug: true, packaged: true });
    expect(failedIndexes(results)).toEqual([10, 12]);
    expect(results[10]!.problem).toContain("DEBUG=true");
    expect(results[12]!.problem).toContain("DEBUG=true");
  });

  it("report a backend that does not answer as failures, not exceptions", async () => {
    const results = await checkHttpContract({ url: "http://127.0.0.1:1/", token: TOKEN, staticUrl: "/static/" });
    expect(results.every((result) => !result.ok && result.problem)).toBe(true);
  });

  it("send exactly the Host header they are given", async () => {
    const base = await fakeBackend();
    const port = new URL(base).port;
    expect((await request(base, "/health/", { host: `evil.example:${port}`, headers: { [TOKEN_HEADER]: TOKEN } })).status).toBe(400);
    expect((await request(base, "/health/", { host: `localhost:${port}`, headers: { [TOKEN_HEADER]: TOKEN } })).status).toBe(200);
  });
});

describe("reading what a page loads", () => {
  it("finds scripts, stylesheets, images, frames and media, and skips links that load nothing and comments", () => {
    const html = `<link rel="canonical" href="https://example.com/"><link rel="icon" href="https://cdn.example/favicon.ico">
      <script src="https://cdn.example/a.js"></script><script>var s = "<img src='https://in.script.example/x.png'>";</script>
      <img srcset="/local.png 1x, https://cdn.example/b.png 2x"><iframe src="//frames.example/"></iframe>
      <video poster="https://cdn.example/poster.jpg"></video><div style="background: url('https://cdn.example/bg.png')"></div>
      <style>@import "https://fonts.example/f.css";</style><!-- <script src="https://commented.example/"></script> -->`;
    const remote = pageResources(html)
      .filter((resource) => isRemote(resource.value, "http://127.0.0.1:8000/"))
      .map((resource) => resource.value);
    expect(remote).toEqual([
      "https://cdn.example/favicon.ico",
      "https://cdn.example/a.js",
      "https://cdn.example/b.png",
      "//frames.example/",
      "https://cdn.example/poster.jpg",
      "https://cdn.example/bg.png",
      "https://fonts.example/f.css",
    ]);
  });

  it("treats the same origin, relative paths and data: URLs as local", () => {
    const page = "http://127.0.0.1:8000/catalog/";
    expect(isRemote("/static/site.css", page)).toBe(false);
    expect(isRemote("site.css", page)).toBe(false);
    expect(isRemote("http://127.0.0.1:8000/static/x.js", page)).toBe(false);
    expect(isRemote("data:image/png;base64,AAAA", page)).toBe(false);
    expect(isRemote("http://localhost:8000/static/x.js", page)).toBe(true);
    expect(isRemote("http://127.0.0.1:9000/x.js", page)).toBe(true);
  });

  it("reads url() and @import from CSS", () => {
    expect(cssUrls(`@import 'a.css'; @import url(b.css); .x { background: url( "c.png" ) } .y { mask: url(data:image/svg+xml;utf8,abc) }`)).toEqual([
      "a.css",
      "b.css",
      "c.png",
      "data:image/svg+xml;utf8,abc",
    ]);
  });

  it("tells @import from url(), and skips CSS comments", () => {
    expect(cssReferences(`/* @import "old.css"; url(gone.png) */ @import url("a.css") screen; @import 'b.css'; .x { background: url(c.png) }`)).toEqual([
      { value: "a.css", imported: true },
      { value: "b.css", imported: true },
      { value: "c.png", imported: false },
    ]);
  });

  it("finds a stylesheet link whatever the order and case of its attributes", () => {
    const html = `<LINK media="all" HREF="/static/a.css" REL="Stylesheet"><link href='/static/b.css' rel="preload stylesheet" as="style"><link rel="icon" href="/static/i.png"><link rel="preconnect" href="/"><link rel="dns-prefetch" href="//cdn.example">`;
    expect(pageResources(html).map((resource) => [resource.value, resource.rel])).toEqual([
      ["/static/a.css", "stylesheet"],
      ["/static/b.css", "preload stylesheet"],
      ["/static/i.png", "icon"],
    ]);
  });
});

describe("choosing the links the walk follows", () => {
  it("reads a and area links, and marks those a script or a download turns into something else", () => {
    const html = `<a href="/books/">Books</a><a>no href</a><area href="/map/"><a href="/report.csv" download>CSV</a>
      <a href="/books/3/" data-method="delete">x</a><a href="/books/4/" data-turbo-method="get">y</a><a href="/books/5/" hx-post="/books/5/">z</a>`;
    expect(pageLinks(html)).toEqual([
      { href: "/books/" },
      { href: "/map/" },
      { href: "/report.csv", notAGet: "a download" },
      { href: "/books/3/", notAGet: "DELETE by script" },
      { href: "/books/4/" },
      { href: "/books/5/", notAGet: "hx-post by script" },
    ]);
  });

  it("does not follow a logout, a delete or another state change, and follows ordinary pages", () => {
    const word = (url: string) => stateChangeWord(new URL(url, "http://127.0.0.1:8000/"));
    for (const [url, expected] of [
      ["/accounts/logout/", "logout"],
      ["/accounts/log-out/", "log-out"],
      ["/signout", "signout"],
      ["/books/3/delete/", "delete"],
      ["/books/3/?action=toggle", "toggle"],
      ["/bookmarks/3/archive", "archive"],
      ["/tasks/run_now/", "run"],
      ["/Items/3/Remove", "remove"],
      ["/items/3/%64elete/", "delete"],
    ] as const) {
      expect(word(url), url).toBe(expected);
    }
    for (const url of ["/", "/catalog/", "/runs/", "/books/?page=2", "/books/3/", "/books/3/edit/", "/books/new/", "/starters/", "/deleted-items/"]) {
      expect(word(url), url).toBeUndefined();
    }
  });
});
