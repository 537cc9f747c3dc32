/**
 * `npm run setup:python` (and the root postinstall): creates django/.venv.
 *
 * After `npm install` a missing Python is only a warning, so the JavaScript
 * side still installs; commands that need Django then repeat the message.
 */
import { ensureVenv, PythonSetupError } from "./python-env.ts";

const USAGE = `Usage: npm run setup:python

Creates django/.venv with Python 3.12 or newer and installs
django/requirements-dev.txt into it, or refreshes it after a requirements
change (npm install runs it as postinstall). DDS_PYTHON names the interpreter
to use. No options.`;
if (process.argv.includes("--help")) {
  console.log(USAGE);
  process.exit(0);
}

const fromInstall = process.argv.includes("--from-install");

try {
  ensureVenv();
} catch (error) {
  if (!(error instanceof PythonSetupError)) throw error;
  console.error(`\n${error.message}\n`);
  process.exit(fromInstall ? 0 : 1);
}
