/**
 * The demo's pages from the staged bundle: the pony list links the
 * content-hashed stylesheet of its packaged settings (cached for good, GET
 * and HEAD only), and a pony made through the real form survives a restart.
 */
import { request, type IncomingMessage } from "node:http";
import { describe, expect, inject, it } from "vitest";
import { cookieHeader, stagedSession, storeCookies } from "../stagedSession";

const staged = inject("stagedBundle");

describe.skipIf(!staged.bundleDir)("the demo in the staged backend", () => {
  const { start, bootstrap, stop } = stagedSession();

  it("links content-hashed static files that a browser caches for good, and answers only GET and HEAD for them", async () => {
    const { url } = await start();
    const jar = new Map<string, string>();
    const page = await (await bootstrap(url, jar, "/")).text();
    const stylesheet = /<link rel="stylesheet" href="([^"]+)"/.exec(page)?.[1];
    expect(stylesheet).toMatch(/^\/static\/flying_stable\/flying_stable\.[0-9a-f]{12}\.css$/);
    const headers = { cookie: cookieHeader(jar), "accept-encoding": "gzip" };
    const css = await fetch(new URL(stylesheet!, url), { headers });
    expect(css.status).toBe(200);
    expect(css.headers.get("cache-control")).toBe("max-age=315360000, public, immutable");
    expect(css.headers.get("content-encoding")).toBe("gzip");
    expect((await fetch(new URL(stylesheet!, url), { method: "HEAD", headers })).status).toBe(200);
    // fetch() refuses TRACE, so these go through node:http.
    for (const method of ["OPTIONS", "TRACE", "POST"]) {
      const other = await new Promise<IncomingMessage>((resolve, reject) =>
        request(new URL(stylesheet!, url), { method, headers }, resolve).on("error", reject).end(),
      );
      other.resume();
      expect(other.statusCode, method).toBe(405);
      expect(other.headers.allow).toBe("GET, HEAD");
    }
    expect((await fetch(new URL(stylesheet!, url))).status).toBe(403);
  });


  it("keeps a pony created through the real form across a restart", async () => {
    const name = `Bundled Breeze ${Date.now()}`;
    const first = await start();
    const jar = new Map<string, string>();
    const form = await bootstrap(first.url, jar, "/ponies/new/");
    storeCookies(jar, form);
    const csrf = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(await form.text())?.[1];
    expect(csrf).toBeDefined();
    const created = await fetch(new URL("ponies/new/", first.url), {
      method: "POST",
      redirect: "manual",
      headers: { cookie: cookieHeader(jar), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfmiddlewaretoken: csrf!, title: name, status: "active", notes: "staged" }).toString(),
    });
    expect(created.status).toBe(302);
    await stop();

    const second = await start();
    const list = await bootstrap(second.url, new Map(), "/");
    expect(await list.text()).toContain(name);
  });
});
