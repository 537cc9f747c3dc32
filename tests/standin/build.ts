/** The shells' compiled main processes, which the stand-in tests run: built when missing or older than their sources. */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../electron-standin/harness.ts";

/** Builds a shell when its dist/ is missing or older than its src/. */
export function ensureBuilt(shellDir: string): void {
  const main = path.join(shellDir, "dist", "main.js");
  const newestSource = Math.max(...readdirSync(path.join(shellDir, "src")).map((name) => statSync(path.join(shellDir, "src", name)).mtimeMs));
  if (existsSync(main) && statSync(main).mtimeMs >= newestSource) return;
  const result = spawnSync(process.execPath, [path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], { cwd: shellDir, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`Building ${shellDir} failed:\n${result.stdout}${result.stderr}`);
}
