import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { BackendExitedError, HealthRedirectError, HealthTimeoutError, ProjectLoadError, waitForHealth } from "../src/readiness";
import { freePort } from "./helpers";

function serve(handler: (url: string) => number) {
  return createServer((request, response) => response.writeHead(handler(request.url ?? "")).end());
}

describe("waitForHealth", () => {
  it("waits for the first 200 from /health/, not just any answer", async () => {
    const port = await freePort();
    let calls = 0;
    const server = serve((url) => (url === "/health/" && ++calls >= 3 ? 200 : 503));
    setTimeout(() => server.listen(port, "127.0.0.1"), 200);
    await waitForHealth(`http://127.0.0.1:${port}/`, { timeoutMs: 5000 });
    expect(calls).toBe(3);
    server.close();
  });

  it("sends the given headers", async () => {
    const port = await freePort();
    let seen: string | undefined;
    const server = createServer((request, response) => {
      seen = request.headers["x-test"] as string | undefined;
      response.writeHead(200).end();
    }).listen(port, "127.0.0.1");
    await waitForHealth(`http://127.0.0.1:${port}/`, { headers: { "X-Test": "yes" } });
    expect(seen).toBe("yes");
    server.close();
  });

  it("gives up at the deadline with a clear message", async () => {
    const port = await freePort();
    const server = serve(() => 503).listen(port, "127.0.0.1");
    const error = await waitForHealth(`http://127.0.0.1:${port}/`, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HealthTimeoutError);
    expect((error as Error).message).toBe(`Django did not answer http://127.0.0.1:${port}/health/ with 200 within 0.3 s.`);
    server.close();
  });

  it("stops waiting as soon as the backend exits", async () => {
    const port = await freePort();
    const started = Date.now();
    await expect(waitForHealth(`http://127.0.0.1:${port}/`, { timeoutMs: 10_000, exited: Promise.resolve(1) })).rejects.toBeInstanceOf(BackendExitedError);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("stops at once when /health/ redirects, instead of taking the login page's 200 for Django's", async () => {
    const port = await freePort();
    const server = createServer((request, response) => {
      if (request.url?.startsWith("/accounts/login/")) response.writeHead(200).end("<form>Log in</form>");
      else response.writeHead(302, { Location: `/accounts/login/?next=${request.url}` }).end();
    }).listen(port, "127.0.0.1");
    const error = await waitForHealth(`http://127.0.0.1:${port}/`, { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HealthRedirectError);
    expect((error as Error).message).toContain(`answered http://127.0.0.1:${port}/health/ with 302, a redirect to /accounts/login/?next=/health/.`);
    server.close();
  });

  it("stops at once when Django answers that it cannot load the project", async () => {
    const port = await freePort();
    const server = createServer((_request, response) => {
      response.writeHead(503, { "Content-Type": "application/json" }).end(JSON.stringify({ status: "error", error: "NameError: name 'x' is not defined" }));
    }).listen(port, "127.0.0.1");
    const started = Date.now();
    const error = await waitForHealth(`http://127.0.0.1:${port}/`, { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProjectLoadError);
    expect((error as Error).message).toBe("Django cannot load the project: NameError: name 'x' is not defined. The last lines show where; fix it and start again.");
    expect(Date.now() - started).toBeLessThan(5000);
    server.close();
  });

  it("with onProjectError, waits through the error page for the fix, longer than the deadline, and says each poll it lasts", async () => {
    const port = await freePort();
    let fixed = false;
    const server = createServer((_request, response) => {
      if (fixed) response.writeHead(200).end();
      else response.writeHead(503, { "Content-Type": "application/json" }).end(JSON.stringify({ status: "error", error: "NameError: name 'x' is not defined" }));
    }).listen(port, "127.0.0.1");
    const seen: ProjectLoadError[] = [];
    setTimeout(() => (fixed = true), 1200);
    await waitForHealth(`http://127.0.0.1:${port}/`, { timeoutMs: 800, onProjectError: (error) => seen.push(error) });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.every((error) => error instanceof ProjectLoadError && error.message.includes("NameError"))).toBe(true);
    server.close();
  });
});
