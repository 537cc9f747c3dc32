/**
 * `npm run backend -w chapters/<name>`: every chapter's Django without a
 * window, through that chapter's own supervisor. The chapter READMEs' "Check
 * it worked" commands rely on what these print and answer.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { repoRoot, steps } from "../scripts/chapters.ts";

const chapters = steps().filter((step) => step !== "final");

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer().once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Runs the chapter's backend script and resolves with its printed lines once it says how to stop it. */
function startScript(chapter: string) {
  const script = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "chapters", chapter, "scripts", "backend.ts")], {
    cwd: path.join(repoRoot, "chapters", chapter),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let stderr = "";
  script.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<string[]>((resolve, reject) => {
    createInterface({ input: script.stdout }).on("line", (line) => {
      lines.push(line);
      if (line.includes("Press Ctrl+C")) resolve(lines);
    });
    script.once("exit", (code) => reject(new Error(`${chapter}'s backend script exited with ${code} before serving:\n${stderr}`)));
  });
  return { script, ready };
}

describe.each(chapters)("npm run backend -w chapters/%s", (chapter) => {
  const number = Number(chapter.slice(0, 2));

  it("serves through the chapter's supervisor, answers as the README says, and Ctrl+C stops Django", async (context) => {
    if (number === 1 && !(await portIsFree(8000))) context.skip("port 8000 is in use on this machine; chapter 01 always binds it");
    const { script, ready } = startScript(chapter);
    try {
      const lines = await ready;
      const origin = /Django answers at (http:\/\/127\.0\.0\.1:\d+)\//.exec(lines.join("\n"))![1]!;
      if (number === 1) expect(origin).toBe("http://127.0.0.1:8000");
      if (number < 3) {
        expect(await (await fetch(`${origin}/health/`)).json()).toEqual({ status: "ok" });
        expect((await fetch(`${origin}/`)).status).toBe(200);
      } else {
        const bootstrapUrl = lines.map((line) => /^\s+(http:\S+\/desktop-auth\/bootstrap\/\?token=\S+)$/.exec(line)?.[1]).find(Boolean)!;
        const token = new URL(bootstrapUrl).searchParams.get("token")!;
        expect((await fetch(`${origin}/health/`)).status).toBe(403);
        expect((await fetch(`${origin}/`, { headers: { "X-Desktop-Django-Token": token } })).status).toBe(200);
        const bootstrap = await fetch(bootstrapUrl, { redirect: "manual" });
        expect(bootstrap.status).toBe(302);
        expect(bootstrap.headers.get("set-cookie")).toMatch(/^desktop_django_token=[^;]+; HttpOnly; Path=\/; SameSite=Strict$/);
        const refused = await fetch(`${origin}/desktop-auth/bootstrap/?token=wrong&next=/`, { redirect: "manual" });
        expect(refused.status).toBe(403);
        expect(refused.headers.get("set-cookie")).toBeNull();
      }
      // Node cannot send SIGINT on Windows; there kill() ends the script and Django follows through its stdin pipe.
      script.kill("SIGINT");
      const code = await new Promise<number | null>((resolve) => script.once("exit", resolve));
      if (process.platform !== "win32") expect(code).toBe(0);
      await expect.poll(() => fetch(`${origin}/health/`).then(() => "answering", () => "gone"), { timeout: 5000 }).toBe("gone");
    } finally {
      script.kill("SIGKILL");
    }
  });
});
