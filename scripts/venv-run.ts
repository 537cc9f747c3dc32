/**
 * Runs a program from django/.venv (python, ruff, ...) with the given
 * arguments, creating the virtualenv first when it is missing.
 * Usage: tsx scripts/venv-run.ts ruff check django
 */
import { spawnSync } from "node:child_process";
import { ensureVenvOrExit, repoRoot, venvBin } from "./python-env.ts";

const [program, ...args] = process.argv.slice(2);
if (!program) {
  console.error("usage: tsx scripts/venv-run.ts <program> [args...]");
  process.exit(2);
}
ensureVenvOrExit();
const result = spawnSync(venvBin(program), args, { stdio: "inherit", cwd: repoRoot });
process.exit(result.status ?? 1);
