/**
 * The project's frontend build (src/project.ts's frontendBuild): the commands
 * that write the static files collectstatic gathers, often into folders git
 * ignores. `npm run stage` runs them, in order and without a shell, before it
 * collects static files, and ships what they wrote.
 */
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, readdirSync } from "node:fs";
import path from "node:path";
import type { ProjectFacts } from "../src/project";

export type FrontendBuild = ProjectFacts["frontendBuild"];

export class FrontendBuildError extends Error {}

/** A command as the learner would type it. */
export function commandLine(command: string[]): string {
  return command.map((part) => (/[\s"']/.test(part) ? JSON.stringify(part) : part)).join(" ");
}

/**
 * The program to start for a command, without a shell. npm and npx run as
 * Node with npm's own CLI script when one is known (npm_execpath, set by
 * `npm run stage`): on Windows they are npm.cmd and npx.cmd, which Node starts
 * only through cmd.exe. Other programs start as named.
 */
export function resolveCommand(command: string[], env: NodeJS.ProcessEnv = process.env, platform: string = process.platform): { program: string; args: string[]; shell: boolean } {
  const [name, ...args] = command;
  if (!name) throw new FrontendBuildError("frontendBuild has an empty command: every command in src/project.ts's frontendBuild.commands names a program.");
  const npmCli = env.npm_execpath;
  if ((name === "npm" || name === "npx") && npmCli && /\.c?js$/.test(npmCli)) {
    const cli = name === "npm" ? npmCli : path.join(path.dirname(npmCli), "npx-cli.js");
    if (existsSync(cli)) return { program: process.execPath, args: [cli, ...args], shell: false };
  }
  // Outside npm on Windows, npm.cmd and friends need cmd.exe.
  if (platform === "win32" && (name === "npm" || name === "npx" || /\.(cmd|bat)$/i.test(name))) {
    return { program: /\.(cmd|bat)$/i.test(name) ? name : `${name}.cmd`, args, shell: true };
  }
  return { program: name, args, shell: false };
}

/** Files below `dir` (relative, with /) modified at or after `sinceMs`, skipping what `skip` says (and what is below it). */
export function filesWrittenSince(dir: string, sinceMs: number, skip: (relative: string) => boolean): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (skip(child)) continue;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() && lstatSync(path.join(dir, child)).mtimeMs >= sinceMs) found.push(child);
    }
  };
  walk("");
  return found.sort();
}

/**
 * Runs the build's commands in order in `djangoDir`/`build.cwd`; stops at the
 * first that fails, naming it. Returns when the build started, so the caller
 * can find what it wrote.
 */
export function runFrontendBuild(djangoDir: string, build: FrontendBuild, log: (line: string) => void): number {
  const cwd = path.resolve(djangoDir, build.cwd);
  if (build.commands.length && !existsSync(cwd)) {
    throw new FrontendBuildError(`The frontend build's folder ${cwd} does not exist: set frontendBuild.cwd in src/project.ts to a folder relative to the Django project.`);
  }
  // File systems keep modification times to the second or two: a file the build writes may look up to 2 s older.
  const started = Date.now() - 2000;
  for (const command of build.commands) {
    log(`Frontend build: ${commandLine(command)} (in ${cwd})`);
    const { program, args, shell } = resolveCommand(command);
    const result = spawnSync(program, args, { cwd, encoding: "utf8", windowsHide: true, shell, maxBuffer: 64 * 1024 * 1024 });
    if (result.error || result.status !== 0) {
      const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n").slice(-20).join("\n");
      const why = result.error ? result.error.message : result.signal ? `killed by ${result.signal}` : `exit code ${result.status}`;
      throw new FrontendBuildError(
        `The frontend build command \`${commandLine(command)}\` failed in ${cwd} (${why}):\n${output}\n` +
          "Run it there yourself, fix what it reports, and stage again; or correct frontendBuild in src/project.ts.",
      );
    }
  }
  return started;
}
