import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { isRunning, tempDir, waitFor, waitUntilGone } from "../helpers";

function startCli() {
  const cli = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "..", "..", "scripts", "backend.ts"), "--app-data", tempDir()], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  createInterface({ input: cli.stdout }).on("line", (line) => lines.push(line));
  let stderr = "";
  cli.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return { cli, lines, stderr: () => stderr };
}

/** Resolves once the whole banner, which ends with the Ctrl+C line, has been printed. */
function banner(lines: string[]): Promise<void> {
  return waitFor<void>((resolve) => {
    const check = () => (lines.some((line) => line.startsWith("Press Ctrl+C")) ? resolve() : setTimeout(check, 50));
    check();
  }, 30_000, "the banner");
}

describe("npm run backend", () => {
  it("serves the complete app through the printed bootstrap URL, and Ctrl+C stops it", async () => {
    const { cli, lines, stderr } = startCli();
    await banner(lines);
    expect(stderr()).not.toContain("auto-login"); // the demo has no accounts to log in
    const url = lines.map((line) => /^\s+(http:\/\/127\.0\.0\.1:\d+\/desktop-auth\/bootstrap\/\?\S+)$/.exec(line)?.[1]).find(Boolean)!;
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

    // Node cannot send SIGINT on Windows: kill() ends the CLI outright there, and
    // Django follows through its stdin pipe instead of through app.stop().
    cli.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => cli.once("exit", resolve));
    if (process.platform !== "win32") expect(code).toBe(0);
    await expect.poll(() => fetch(`${origin}/health/`).then(() => "answering", () => "gone"), { timeout: 5000 }).toBe("gone");
    expect(isRunning(cli.pid!)).toBe(false);
    await waitUntilGone([cli.pid!], 100);
  });

  it("says why and exits with code 1 when Django stops on its own", async () => {
    const { cli, lines, stderr } = startCli();
    await banner(lines);
    const logFile = lines.find((line) => line.startsWith("Log: "))!.slice("Log: ".length);
    const serving = readFileSync(logFile, "utf8").split(/\r?\n/).findLast((line) => line.startsWith("DESKTOP_DJANGO_SERVING "));
    const { pid } = JSON.parse(serving!.slice("DESKTOP_DJANGO_SERVING ".length)) as { pid: number };

    process.kill(pid, "SIGKILL");
    const code = await new Promise<number | null>((resolve) => cli.once("exit", resolve));
    expect(code).toBe(1);
    // On Windows a killed process has exit code 1 (TerminateProcess), and the venv's python.exe launcher passes it on.
    const how = process.platform === "win32" ? "exited with code 1" : "was ended by a signal";
    expect(stderr()).toContain(`Flying Stable's backend stopped: Django ${how} while the app was running.`);
    expect(stderr()).toContain(`Full log: ${logFile}`);
  });
});
