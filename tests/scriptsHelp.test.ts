/**
 * Every npm script a user runs that is one of ours answers `-- --help` with
 * its usage and exits 0, instead of starting work or ending in a stack trace.
 */
import { execFile, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const repoRoot = path.resolve(__dirname, "..");
const run = promisify(execFile);
const packageDirs = [".", ...(JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { workspaces: string[] }).workspaces.flatMap((pattern) =>
  pattern.endsWith("/*")
    ? spawnSync("git", ["ls-files", `${pattern.slice(0, -2)}/*/package.json`], { cwd: repoRoot, encoding: "utf8" })
        .stdout.split("\n")
        .filter(Boolean)
        .map((file) => path.dirname(file))
    : [pattern],
)];

/**
 * The script file of each npm script that runs one of ours: `tsx <file>` or
 * `node dist/<file>.js` after a build. A file that is byte-identical in several
 * chapters is asked once.
 */
function ourScripts(): { name: string; dir: string; file: string }[] {
  const found: { name: string; dir: string; file: string }[] = [];
  const seen = new Set<string>();
  const add = (name: string, dir: string, file: string) => {
    const hash = createHash("sha256").update(readFileSync(path.join(repoRoot, dir, file))).digest("hex");
    if (seen.has(hash)) return;
    seen.add(hash);
    found.push({ name, dir, file });
  };
  for (const dir of packageDirs) {
    const { scripts = {} } = JSON.parse(readFileSync(path.join(repoRoot, dir, "package.json"), "utf8")) as { scripts?: Record<string, string> };
    for (const [name, command] of Object.entries(scripts)) {
      if (name === "postinstall") continue; // setup:python's own file, run by npm
      const tsx = /^(?:npm run build && )?tsx (\S+\.ts)/.exec(command);
      const node = /^npm run build && node dist\/(\S+)\.js/.exec(command);
      if (tsx) add(name, dir, tsx[1]!);
      else if (node) add(name, dir, `src/${node[1]}.ts`);
    }
  }
  return found;
}

describe("npm scripts answer --help", () => {
  const scripts = ourScripts();

  it("finds the scripts to ask", () => {
    const names = scripts.map(({ name, dir }) => `${dir}:${name}`);
    for (const expected of [".:bench", ".:wrap", ".:test", "final:backend", "final:check", "final:stage", "final:dev", "chapters/01-dev-loop:backend"]) {
      expect(names).toContain(expected);
    }
  });

  it.concurrent.each(ourScripts().map((script) => [`${script.dir}: npm run ${script.name}`, script] as const))("%s -- --help", async (_, { dir, file }) => {
    const tsx = path.join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs");
    // execFile rejects on a non-zero exit, with the output attached.
    const { stdout, stderr } = await run(process.execPath, [tsx, file, "--help"], { cwd: path.join(repoRoot, dir), encoding: "utf8", timeout: 120_000 });
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stdout).toMatch(/^Usage: /);
  });
});
