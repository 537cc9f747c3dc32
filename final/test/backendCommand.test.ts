import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { isRunning, tempDir, waitFor, waitUntilGone } from "./helpers";

describe("npm run backend", () => {
  it("serves the complete app through the printed bootstrap URL, and Ctrl+C stops it", async () => {
    const cli = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "..", "scripts", "backend.ts"), "--app-data", tempDir()], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const lines: string[] = [];
    const url = await waitFor<string>(
      (resolve) =>
        createInterface({ input: cli.stdout }).on("line", (line) => {
          lines.push(line);
          const match = /^\s+(http:\/\/127\.0\.0\.1:\d+\/desktop-auth\/bootstrap\/\?\S+)$/.exec(line);
          if (match) resolve(match[1]!);
        }),
      30_000,
      "the bootstrap URL",
    );
    await waitFor<void>((resolve) => {
      const check = () => (lines.some((line) => line.startsWith("Press Ctrl+C")) ? resolve() : setTimeout(check, 50));
      check();
    }, 5000, "the rest of the banner");
    expect(lines).toContain("Workers: run_routines");

    const bootstrap = await fetch(url, { redirect: "manual" });
    expect(bootstrap.status).toBe(302);
    const cookie = bootstrap.headers.get("set-cookie")!.split(";")[0]!;
    const origin = new URL(url).origin;
    for (const page of ["/", "/routines/"]) {
      const response = await fetch(`${origin}${page}`, { headers: { Cookie: cookie } });
      expect(response.status, page).toBe(200);
    }
    expect((await fetch(`${origin}/`)).status).toBe(403);

    cli.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => cli.once("exit", resolve));
    expect(code).toBe(0);
    await expect(fetch(`${origin}/health/`)).rejects.toThrow();
    expect(isRunning(cli.pid!)).toBe(false);
    await waitUntilGone([cli.pid!], 100);
  });
});
