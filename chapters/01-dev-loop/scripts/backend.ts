/**
 * `npm run backend -w chapters/01-dev-loop`: this chapter's Django without a
 * window. The same startBackend() call as src/main.ts (fixed port 8000,
 * autoreload), its output on the terminal; Ctrl+C stops Django and its
 * autoreload child. For checks on a machine where Electron cannot run.
 */
import { startBackend } from "../src/backend";
import { devPaths } from "../src/paths";
import { waitUntilAnswering } from "../src/readiness";

const USAGE = `Usage: npm run backend -w chapters/01-dev-loop

Starts this chapter's Django on port 8000 with autoreload, without a window.
No options; Ctrl+C stops it.`;
if (process.argv.includes("--help")) {
  console.log(USAGE);
  process.exit(0);
}

const paths = devPaths();
const backend = startBackend({
  python: paths.python,
  managePy: paths.managePy,
  port: 8000,
  env: { DJANGO_SETTINGS_MODULE: "desktop_django_starter.settings.dev", DESKTOP_DJANGO_HOST: "127.0.0.1" },
  args: ["--reload"],
  onLine: (line) => console.log(`[django] ${line}`),
});
let stopping = false;
void backend.exited.then((code) => {
  if (stopping) return;
  console.error(`Django exited with code ${code}; see the [django] lines above.`);
  process.exit(1);
});
void waitUntilAnswering(backend.url).then(() => console.log(`\nDjango answers at ${backend.url} (no window in this mode). Press Ctrl+C to stop it.\n`));
const stop = () => {
  stopping = true;
  void backend.stop().then(() => process.exit(0));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
