/**
 * `npm run check`: does the Django project keep the shell-to-Django runtime
 * contract? Starts its backend through the shell's own supervisor, without
 * Electron, and checks the contract from outside. See contractChecks.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { findBrowser, NO_BROWSER } from "./browserCheck";
import { formatResult, runContractChecks, summary } from "./contractChecks";
import { resolveBackendOrExit } from "./resolveBackendOrExit";

const HELP = `Usage: npm run check [-- options]

Starts the Django backend through the desktop shell's supervisor (no Electron)
and checks the runtime contract from outside over HTTP: the token, the Host
guard, the bootstrap URL and its cookie, the home page and the pages its links
lead to (GET only, at most 30, never a logout or a delete), every script,
stylesheet and image they load, remote assets, CSRF, the database location, a
second start, the lifetime rule and, for a bundle, that nothing is written
inside it. Prints one line per check and "N of M checks held"; exits with 1
when any check fails.

Options:
  --staged          check the staged bundle in .stage/backend (packaged settings,
                    DEBUG off) instead of the development settings; run
                    \`npm run stage\` first
  --app-data <dir>  the app-data folder to use (default: a new temporary folder,
                    removed afterwards when every check holds)
  --browser         also load those pages in a browser and fail on console errors,
                    uncaught exceptions and Content-Security-Policy violations
                    (DDS_CHROMIUM, or Playwright's Chromium; skipped with one
                    line when there is none)
  --help            print this help
`;

async function main(): Promise<void> {
  let values: { staged?: boolean; "app-data"?: string; browser?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        staged: { type: "boolean", default: false },
        "app-data": { type: "string" },
        browser: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    }));
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
  console.log(`App data: ${appDataDir}`);
  const browser = values.browser ? await findBrowser() : undefined;
  if (values.browser) console.log(browser ? `Browser: ${browser.executablePath} (${browser.source})` : NO_BROWSER);
  console.log("");
  const results = await runContractChecks({ root, appDataDir, browser, report: (result) => console.log(formatResult(result)) });
  console.log(`\n${summary(results)}`);
  if (results.some((result) => !result.ok)) {
    console.log(`The backend's log is in ${path.join(appDataDir, "logs")}.`);
    process.exit(1);
  }
  if (temporary) rmSync(appDataDir, { recursive: true, force: true });
}

void main();
