/**
 * `npm pack` in cli/ runs this first (prepack): it copies into cli/template/
 * the parts of the starter that `wrap` and `check` read, in the repository's
 * own layout, so scripts/wrap.ts finds final/, django/desktop_runtime/ and the
 * rest beside it exactly as in a checkout. Only files git tracks (or would
 * track) are copied: no node_modules, build output, virtualenvs or caches.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const cliDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = path.dirname(cliDir);
const templateDir = path.join(cliDir, "template");

/** What the wrap copies or reads (scripts/wrap.ts and scripts/wrap/), and what the check runs (final/). */
export const TEMPLATE_PATHS = ["scripts/wrap.ts", "scripts/wrap", "final", "django/desktop_runtime", "django/requirements.txt", "tsconfig.base.json", "assets/brand/pony.svg"];

/** The starter's files under `paths`, as git sees them: tracked, or new and not ignored. */
function starterFiles(paths: string[]): string[] {
  const listed = spawnSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", ...paths], { cwd: repoRoot, encoding: "utf8" });
  if (listed.status !== 0) throw new Error(`git ls-files failed in ${repoRoot}: ${listed.stderr}`);
  // Tests of the demo and of desktop_runtime itself stay behind, as the wrap leaves them behind.
  return listed.stdout.split("\0").filter((file) => file && !/^django\/desktop_runtime\/tests\//.test(file) && !/^final\/test\/demo\//.test(file));
}

rmSync(templateDir, { recursive: true, force: true });
const files = starterFiles(TEMPLATE_PATHS);
for (const file of files) {
  mkdirSync(path.dirname(path.join(templateDir, file)), { recursive: true });
  cpSync(path.join(repoRoot, file), path.join(templateDir, file));
}
console.log(`cli/template: ${files.length} files of the starter (${TEMPLATE_PATHS.join(", ")})`);
