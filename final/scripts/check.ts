/**
 * `npm run check`: does the Django project keep the shell-to-Django runtime
 * contract? Starts its backend through the shell's own supervisor, without
 * Electron, and checks the contract from outside. See contractChecks.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { formatResult, runContractChecks, summary } from "./contractChecks";
import { resolveBackendOrExit } from "./resolveBackendOrExit";

const HELP = `Usage: npm run check [-- options]

Starts the Django backend through the desktop shell's supervisor (no Electron)
and checks the runtime contract from outside over HTTP: the token, the Host
guard, the bootstrap URL and its cookie, the home page and its static files,
remote assets, CSRF, the database location, a second start, the lifetime rule
and, for a bundle, that nothing is written inside it. Prints one line per
check and "N of M checks held"; exits with 1 when any check fails.

Options:
  --staged          check the staged bundle in .stage/backend (packaged settings,
                    DEBUG off) instead of the development settings; run
                    \`npm run stage\` first
  --app-data <dir>  the app-data folder to use (default: a new temporary folder,
                    removed afterwards when every check holds)
  --help            print this help
`;

function main(): Promise<void> | void {
  let values: { staged?: boolean; "app-data"?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ options: { staged: { type: "boolean", default: false }, "app-data": { type: "string" }, help: { type: "boolean", default: false } } }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(HELP);
    return;
  }
  const root = resolveBackendOrExit(values.staged ?? false);
  // npm runs workspace scripts inside the workspace folder; INIT_CWD is where the command was typed.
  const typedFrom = process.env.INIT_CWD ?? process.cwd();
  const temporary = values["app-data"] === undefined;
  const appDataDir = temporary ? mkdtempSync(path.join(os.tmpdir(), "desktop-check-")) : path.resolve(typedFrom, values["app-data"]!);
  console.log(`Checking the runtime contract: ${root.layout} backend, ${root.settingsModule}, ${root.managePy}`);
  console.log(`App data: ${appDataDir}\n`);
  return runContractChecks({ root, appDataDir, report: (result) => console.log(formatResult(result)) }).then((results) => {
    const failed = results.some((result) => !result.ok);
    console.log(`\n${summary(results)}`);
    if (failed) {
      console.log(`The backend's log is in ${path.join(appDataDir, "logs")}.`);
      process.exit(1);
    }
    if (temporary) rmSync(appDataDir, { recursive: true, force: true });
  });
}

void main();
