/**
 * `npm run setup:python` (and the root postinstall): creates django/.venv.
 *
 * After `npm install` a missing Python is only a warning, so the JavaScript
 * side still installs; commands that need Django then repeat the message.
 */
import { ensureVenv, PythonSetupError } from "./python-env.ts";

const fromInstall = process.argv.includes("--from-install");

try {
  ensureVenv();
} catch (error) {
  if (!(error instanceof PythonSetupError)) throw error;
  console.error(`\n${error.message}\n`);
  process.exit(fromInstall ? 0 : 1);
}
