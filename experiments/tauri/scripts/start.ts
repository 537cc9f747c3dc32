/**
 * `npm run dev` and `npm run start:staged`: runs the shell that `npm run build`
 * compiled. Development runs Django from django/.venv; `--staged` runs the
 * bundle that `npm run stage -w final` built in .stage/backend, as a packaged
 * app would.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { shellBinary } from "./binary.ts";

const USAGE = `Usage: npm run dev -w experiments/tauri [-- --staged]
       npm run start:staged -w experiments/tauri

Builds the Tauri shell (debug) and starts it against django/.

  --staged   run the staged bundle in .stage/backend instead
  --help     print this`;
if (process.argv.includes("--help")) {
  console.log(USAGE);
  process.exit(0);
}

const staged = process.argv.includes("--staged");
const binary = shellBinary("debug");
if (!existsSync(binary)) {
  console.error(`${binary} is missing: run \`npm run build -w experiments/tauri\` first.`);
  process.exit(1);
}
const child = spawn(binary, [], { stdio: "inherit", env: { ...process.env, ...(staged ? { DDS_BACKEND_LAYOUT: "staged" } : {}) } });
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
