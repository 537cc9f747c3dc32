/**
 * A project's frontend build: npm (with esbuild, rollup, vite, webpack or gulp)
 * writing JavaScript and CSS into a static folder, often one git ignores. The
 * stage leaves git-ignored files out of the bundle, so the wrap records the
 * build's commands in the project facts (`frontendBuild`) and `npm run stage`
 * runs them before collectstatic.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export interface FrontendBuild {
  /** Relative to manage.py's folder, "/"-separated; "." for that folder. */
  cwd: string;
  commands: string[][];
  /** The file and line that says how it builds: `package.json:7`. */
  where: string;
  found: string;
}

/** Bundler configs, and the command that runs each when package.json has no build script. */
const CONFIGS: Array<{ pattern: RegExp; command: (file: string) => string[] }> = [
  { pattern: /^vite\.config\.[cm]?[jt]s$/, command: () => ["npx", "vite", "build"] },
  { pattern: /^rollup\.config\.[cm]?[jt]s$/, command: () => ["npx", "rollup", "-c"] },
  { pattern: /^webpack\.config\.[cm]?[jt]s$/, command: () => ["npx", "webpack"] },
  { pattern: /^gulpfile\.[cm]?[jt]s$/, command: () => ["npx", "gulp"] },
  { pattern: /^esbuild\.config\.[cm]?js$/, command: (file) => ["node", file] },
];

const SKIPPED = new Set(["node_modules", "desktop", ".git", ".venv", "venv", "env", "__pycache__", "desktop_runtime", "desktop_settings"]);

/** Folders to look in: manage.py's folder and those one level below it. */
function candidateFolders(root: string): string[] {
  const below = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !SKIPPED.has(entry.name) && !entry.name.startsWith("."))
    .map((entry) => path.join(root, entry.name));
  return [root, ...below];
}

export function detectFrontendBuild(root: string): FrontendBuild | undefined {
  for (const folder of candidateFolders(root)) {
    const packageJson = path.join(folder, "package.json");
    if (!existsSync(packageJson)) continue;
    const cwd = path.relative(root, folder).split(path.sep).join("/") || ".";
    const shown = cwd === "." ? "package.json" : `${cwd}/package.json`;
    const text = readFileSync(packageJson, "utf8");
    let scripts: Record<string, string> = {};
    try {
      scripts = (JSON.parse(text) as { scripts?: Record<string, string> }).scripts ?? {};
    } catch {
      continue;
    }
    const install = existsSync(path.join(folder, "package-lock.json")) || existsSync(path.join(folder, "npm-shrinkwrap.json")) ? ["npm", "ci"] : ["npm", "install"];
    const script = "build" in scripts ? "build" : Object.keys(scripts).find((name) => /^build[:-]/.test(name));
    if (script) {
      const line = text.split("\n").findIndex((candidate) => candidate.includes(`"${script}"`)) + 1;
      return { cwd, commands: [install, ["npm", "run", script]], where: `${shown}:${line}`, found: `a frontend build: npm run ${script} (${scripts[script]})` };
    }
    const config = readdirSync(folder).flatMap((file) => CONFIGS.filter(({ pattern }) => pattern.test(file)).map(({ command }) => ({ file, command: command(file) })))[0];
    if (config) {
      return { cwd, commands: [install, config.command], where: `${cwd === "." ? "" : `${cwd}/`}${config.file}:1`, found: `a frontend build configured in ${config.file}` };
    }
  }
  return undefined;
}

/** Files and folders in a static folder that git ignores (a build's output), relative to root; empty outside git. */
export function ignoredStaticFiles(root: string): string[] {
  const listed = spawnSync("git", ["ls-files", "--others", "--ignored", "--exclude-standard", "--directory"], { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (listed.status !== 0) return [];
  const candidates = listed.stdout
    .split("\n")
    .map((line) => line.trim().replace(/\/$/, ""))
    .filter((file) => file && file.split("/").includes("static") && !file.split("/").some((part) => SKIPPED.has(part)));
  if (!candidates.length) return [];
  // --directory also names the folders that hold ignored files: keep only what git ignores itself.
  const ignored = spawnSync("git", ["check-ignore", "--stdin"], { cwd: root, encoding: "utf8", input: candidates.join("\n") });
  return ignored.stdout.split("\n").map((line) => line.trim().replace(/\/$/, "")).filter(Boolean);
}
