import { createServer, type IncomingHttpHeaders } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBackend, type Backend } from "../src/backend";
import { devPaths } from "../src/paths";
import { waitForHealth } from "../src/readiness";
import { generateToken, originOf, requestFilterFor, TOKEN_HEADER, withToken } from "../src/token";
import { freePort, tempDir } from "./helpers";
import project from "../src/project";

describe("generateToken", () => {
  it("makes 32 random bytes, URL-safe, new each time", () => {
    const tokens = new Set(Array.from({ length: 20 }, generateToken));
    expect(tokens.size).toBe(20);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, "base64url")).toHaveLength(32);
    }
  });
});

describe("withToken", () => {
  const origin = "http://127.0.0.1:51234";
  const add = (url: string) => TOKEN_HEADER in withToken(url, {}, origin, "secret");

  it("adds the header for Django's exact origin", () => {
    expect(add("http://127.0.0.1:51234/")).toBe(true);
    expect(add("http://127.0.0.1:51234/static/css/stable.css?v=1")).toBe(true);
  });

  it("never adds it for another origin, however close", () => {
    for (const url of [
      "http://127.0.0.1:51235/",
      "https://127.0.0.1:51234/",
      "http://localhost:51234/",
      "http://127.0.0.1:51234.evil.example/",
      "http://127.0.0.1:51234@evil.example/",
      "http://evil.example/?next=http://127.0.0.1:51234/",
      "not a url",
    ]) {
      expect(add(url), url).toBe(false);
    }
  });

  it("keeps the other headers", () => {
    expect(withToken(`${origin}/`, { Accept: "text/html" }, origin, "t")).toEqual({ Accept: "text/html", [TOKEN_HEADER]: "t" });
  });

  it("narrows Electron's listener to Django's port", () => {
    expect(requestFilterFor(origin)).toEqual({ urls: ["http://127.0.0.1:51234/*"] });
    expect(originOf("http://127.0.0.1:51234/items/3/")).toBe(origin);
  });
});

describe("the token against the real Django", () => {
  const token = generateToken();
  let backend: Backend;
  let other: ReturnType<typeof createServer>;
  let otherUrl: string;
  const seenByOther: IncomingHttpHeaders[] = [];

  /** What the Electron session does: send each request with the headers withToken() decided. */
  const request = (url: string) => fetch(url, { headers: withToken(url, {}, originOf(backend.url), token), redirect: "manual" });

  beforeAll(async () => {
    const paths = devPaths();
    backend = startBackend({
      ...paths,
      port: await freePort(),
      env: {
        DJANGO_SETTINGS_MODULE: project.settings.development,
        DESKTOP_DJANGO_HOST: "127.0.0.1",
        DESKTOP_DJANGO_APP_DATA_DIR: tempDir(),
        DESKTOP_DJANGO_AUTH_TOKEN: token,
      },
    });
    await waitForHealth(backend.url, { exited: backend.exited, headers: { [TOKEN_HEADER]: token } });
    const port = await freePort();
    other = createServer((req, res) => {
      seenByOther.push(req.headers);
      res.end("other");
    }).listen(port, "127.0.0.1");
    otherUrl = `http://127.0.0.1:${port}/`;
  });

  afterAll(async () => {
    other.close();
    await backend.stop();
  });

  it("refuses every path without the token, /health/ included", async () => {
    for (const path of ["", "health/", "splash/", "static/does-not-matter.css"]) {
      expect((await fetch(`${backend.url}${path}`)).status, path).toBe(403);
    }
    expect((await fetch(`${backend.url}health/`, { headers: { [TOKEN_HEADER]: "wrong" } })).status).toBe(403);
  });

  it("serves the app when the shell adds the token", async () => {
    expect((await request(`${backend.url}health/`)).status).toBe(200);
    // The home page, following the project's own redirects (/ to a login-gated page, say).
    let page = await request(backend.url);
    for (let hops = 0; page.status >= 300 && page.status < 400 && hops < 5; hops += 1) {
      page = await request(new URL(page.headers.get("location")!, backend.url).href);
    }
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
  });

  it("lets exactly the one origin through: another local server never sees the token", async () => {
    await request(otherUrl);
    await request(`${otherUrl}health/`);
    expect(seenByOther).toHaveLength(2);
    for (const headers of seenByOther) expect(headers[TOKEN_HEADER.toLowerCase()]).toBeUndefined();
  });

  it("lets a browser in through the bootstrap URL, which sets the cookie", async () => {
    const response = await fetch(`${backend.url}desktop-auth/bootstrap/?token=${token}&next=/`, { redirect: "manual" });
    expect(response.status).toBe(302);
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const page = await fetch(backend.url, { headers: { Cookie: cookie.split(";")[0]! } });
    expect(page.status).toBe(200);
  });
});
