/* global require, process, __dirname, console */
/**
 * Runs before `npm test` and `npm run wrap` (their `pre` scripts in the root
 * package.json): without `npm ci` first, npm would stop at `tsx: not found`
 * (`'tsx' is not recognized ...` on Windows), which does not say what to do.
 * Plain Node, no dependencies: it runs before anything is installed.
 */
const { existsSync } = require("node:fs");
const path = require("node:path");

const repoRoot = path.resolve(__dirname, "..");
if (!existsSync(path.join(repoRoot, "node_modules", "tsx", "package.json"))) {
  const script = (process.env.npm_lifecycle_event ?? "").replace(/^pre/, "");
  const command = script === "test" ? "npm test" : script ? `npm run ${script}` : "the command";
  console.error(
    `The repository's JavaScript dependencies are not installed (${path.join(repoRoot, "node_modules")} has no tsx).\n` +
      `Run \`npm ci\` in ${repoRoot} first (it also creates django/.venv), then ${command} again.`,
  );
  process.exit(1);
}
