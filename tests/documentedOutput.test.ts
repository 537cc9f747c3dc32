/**
 * Outputs the docs quote, produced by the code that prints them: when the
 * code's words change, this fails until the docs say the same.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { waitForHealth } from "../chapters/02-health-and-port/src/readiness.ts";
import { describeStartupFailure } from "../chapters/02-health-and-port/src/startupError.ts";

const repoRoot = path.resolve(__dirname, "..");

/** What chapter 02 prints when Django cannot import a model, from a /health/ that answers as desktop_serve --reload does. */
async function brokenStartLine(error: string): Promise<string> {
  const server = createServer((_, response) => {
    response.writeHead(503, { "Content-Type": "application/json" });
    response.end(JSON.stringify({ status: "error", error }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const failure = await waitForHealth(`http://127.0.0.1:${port}/`, { timeoutMs: 5000 }).then(
      () => undefined,
      (caught: unknown) => describeStartupFailure(caught, [], "backend.log"),
    );
    expect(failure).toBeDefined();
    return `${failure!.title}: ${failure!.message}`;
  } finally {
    server.close();
  }
}

describe("chapter 02's broken start", () => {
  for (const page of ["chapters/02-health-and-port/README.md", "docs/chapters/02-health-and-port.md"]) {
    it(`${page} quotes what the window's dialog says`, async () => {
      const text = readFileSync(path.join(repoRoot, page), "utf8");
      const quoted = /`(Flying Stable could not start: [^`]+)`/.exec(text)?.[1];
      expect(quoted, `${page} no longer quotes the failure line`).toBeDefined();
      expect(await brokenStartLine("RuntimeError: boom")).toContain(quoted!);
    });

    // tests/chapter-backends.test.ts runs the script against a broken project and checks it prints these lines and keeps running.
    it(`${page} quotes what npm run backend prints, Django's line and the script's`, () => {
      const text = readFileSync(path.join(repoRoot, page), "utf8");
      const django = /`(desktop_serve: fix it[^`]+)`/.exec(text)?.[1];
      const script = /`(Still running: [^`]+)`/.exec(text)?.[1];
      expect(django, `${page} no longer quotes Django's line`).toBeDefined();
      expect(script, `${page} no longer quotes the script's line`).toBeDefined();
      expect(readFileSync(path.join(repoRoot, "django", "desktop_runtime", "devloop.py"), "utf8")).toContain(django!);
      expect(readFileSync(path.join(repoRoot, "chapters", "02-health-and-port", "scripts", "backend.ts"), "utf8")).toContain(script!);
    });
  }
});
