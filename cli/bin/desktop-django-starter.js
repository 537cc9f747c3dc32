#!/usr/bin/env node
/**
 * `npx desktop-django-starter wrap <project>` and `... check [<project>]`:
 * the starter's wrap and check without a checkout of the starter. This file
 * only finds what to run and runs it with tsx; the commands themselves are
 * the starter's own scripts/wrap.ts and the wrapped project's own
 * desktop/scripts/check.ts, unchanged.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const template = path.join(packageDir, "template");
const require = createRequire(import.meta.url);

const USAGE = `Usage:
  npx desktop-django-starter wrap <path to a Django project> [--dry-run] [--force] [--name <name>] ...
      adds the desktop shell to the project (see: npx desktop-django-starter wrap --help)
  npx desktop-django-starter check [<wrapped project or its desktop/ folder>] [--staged] [--browser] [--app-data <dir>]
      checks the runtime contract of a wrapped project (default: the current folder);
      works before \`npm install\` in desktop/ (see: npx desktop-django-starter check --help)`;

/** The node_modules folder that holds this package's dependencies (tsx, htmlparser2, ...), wherever npm put them. */
function dependencyFolder() {
  return path.dirname(path.dirname(require.resolve("tsx/package.json")));
}

/** Runs a TypeScript entry point with this package's tsx; exits with its exit code. */
function runTypeScript(entry, args, options = {}) {
  const tsx = require.resolve("tsx");
  const result = spawnSync(process.execPath, ["--import", pathToFileURL(tsx).href, entry, ...args], {
    stdio: "inherit",
    cwd: options.cwd,
    // The scripts read INIT_CWD as the folder the command was typed in, as under `npm run`.
    env: { ...process.env, INIT_CWD: process.cwd(), ...options.env },
  });
  if (result.error) {
    console.error(`desktop-django-starter: could not run ${entry}: ${result.error.message}`);
    process.exit(1);
  }
  process.exit(result.status ?? 1);
}

/** The shell folder of a wrapped project: `<project>/desktop`, or the folder itself when it is one. */
function desktopFolder(given) {
  const folder = path.resolve(given);
  const isShell = (dir) => existsSync(path.join(dir, "src", "project.ts")) && existsSync(path.join(dir, "scripts", "check.ts"));
  if (isShell(folder)) return folder;
  if (isShell(path.join(folder, "desktop"))) return path.join(folder, "desktop");
  console.error(
    `desktop-django-starter check: ${folder} is not a wrapped Django project (no desktop/src/project.ts). ` +
      "Run `npx desktop-django-starter wrap <project>` first, then check the project it wrapped.",
  );
  process.exit(1);
}

function check(args) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { staged: { type: "boolean" }, browser: { type: "boolean" }, "app-data": { type: "string" }, help: { type: "boolean" } },
    });
  } catch (error) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (parsed.positionals.length > 1) {
    console.error(`Name one wrapped project.\n\n${USAGE}`);
    process.exit(2);
  }
  const desktop = parsed.values.help ? path.join(template, "final") : desktopFolder(parsed.positionals[0] ?? ".");
  const { staged, browser, help } = parsed.values;
  const appData = parsed.values["app-data"];
  const options = [...(staged ? ["--staged"] : []), ...(browser ? ["--browser"] : []), ...(appData ? ["--app-data", appData] : []), ...(help ? ["--help"] : [])];
  // The project's own copy of the check runs; before `npm install` in desktop/, its imports come from this package's dependencies.
  runTypeScript(path.join(desktop, "scripts", "check.ts"), options, { cwd: desktop, env: { NODE_PATH: [dependencyFolder(), process.env.NODE_PATH].filter(Boolean).join(path.delimiter) } });
}

const [command, ...rest] = process.argv.slice(2);
if (command === "wrap") runTypeScript(path.join(template, "scripts", "wrap.ts"), rest);
else if (command === "check") check(rest);
else if (command === undefined || command === "--help" || command === "-h" || command === "help") console.log(USAGE);
else {
  console.error(`desktop-django-starter: no command ${command}.\n\n${USAGE}`);
  process.exit(2);
}
