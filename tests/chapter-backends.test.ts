/**
 * `npm run backend -w chapters/<name>`: every chapter's Django without a
 * window, through that chapter's own supervisor. The chapter READMEs' "Check
 * it worked" commands rely on what these print and answer. From chapter 02 on,
 * a project Django cannot load keeps the script running until the fix, as
 * Django's own last lines promise.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot, steps } from "../scripts/chapters.ts";

const chapters = steps().filter((step) => step !== "final");

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer().once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Runs the chapter's backend script (in `root`, the repository or a copy) and resolves with its printed lines once it says how to stop it. */
function startScript(chapter: string, root = repoRoot) {
  const script = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), path.join(root, "chapters", chapter, "scripts", "backend.ts")], {
    cwd: path.join(root, "chapters", chapter),
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

/**
 * A repository a test may break: the chapter's scripts and src, and a copy of django/ whose .venv is the real one
 * (a junction on Windows, which needs no administrator rights). The scripts find django/ above themselves, as in the repository.
 */
function copyOfRepository(chapter: string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "dds-broken-"));
  for (const part of ["scripts", "src", "package.json"]) {
    cpSync(path.join(repoRoot, "chapters", chapter, part), path.join(root, "chapters", chapter, part), { recursive: true });
  }
  cpSync(path.join(repoRoot, "django"), path.join(root, "django"), {
    recursive: true,
    filter: (source) => !/[\\/](\.venv|\.dev-data|__pycache__)$/.test(source),
  });
  symlinkSync(path.join(repoRoot, "django", ".venv"), path.join(root, "django", ".venv"), "junction");
  return root;
}

/** What the backend script prints while Django waits for the fix (the chapter 02 README and docs page quote it). */
const STILL_RUNNING = "Still running: save the fix, and the address appears here once Django answers. Ctrl+C stops it.";

describe.each(chapters.filter((chapter) => Number(chapter.slice(0, 2)) >= 2))("npm run backend -w chapters/%s, project broken at start", (chapter) => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  it("says Django restarts once the file is fixed, keeps running until then, and prints the address after the fix", async () => {
    const root = copyOfRepository(chapter);
    const models = path.join(root, "django", "example_app", "models.py");
    const working = readFileSync(models, "utf8");
    writeFileSync(models, `${working}\nclass Broken(models.Model):\n    name = models.CharFeld(max_length=10)\n`);
    const { script, ready } = startScript(chapter, root);
    cleanup = () => {
      script.kill("SIGKILL");
      rmSync(root, { recursive: true, force: true, maxRetries: 10 });
    };
    let stderr = "";
    script.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<string>((resolve) => script.once("exit", (code) => resolve(`exited with ${code}`)));
    void ready.catch(() => {});

    const waiting = (async () => {
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
        if (stderr.includes(STILL_RUNNING)) return "waiting for the fix";
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return "silent for 30 s";
    })();
    expect(await Promise.race([waiting, exited]), stderr).toBe("waiting for the fix");
    expect(stderr).toContain("desktop_serve: fix it and save the file; the server restarts by itself.");
    expect(stderr).toMatch(/AttributeError: .*CharFeld/);
    // What it printed holds: a moment later it still runs, and saving the fix brings the address.
    expect(await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve("running"), 1500))])).toBe("running");
    // Saved again every 1.5 s until the address appears: Django's reloader may miss a save taken as it starts.
    const save = () => writeFileSync(models, working);
    save();
    const saving = setInterval(save, 1500);
    const lines = await Promise.race([ready, exited.then((how) => Promise.reject(new Error(`the script ${how}:\n${stderr}`)))]).finally(() =>
      clearInterval(saving),
    );
    const origin = /Django answers at (http:\/\/127\.0\.0\.1:\d+)\//.exec(lines.join("\n"))![1]!;
    const bootstrapUrl = lines.map((line) => /^\s+(http:\S+\/desktop-auth\/bootstrap\/\?token=\S+)$/.exec(line)?.[1]).find(Boolean);
    const headers: Record<string, string> = bootstrapUrl ? { "X-Desktop-Django-Token": new URL(bootstrapUrl).searchParams.get("token")! } : {};
    expect(await (await fetch(`${origin}/health/`, { headers })).json()).toEqual({ status: "ok" });
  });
});
