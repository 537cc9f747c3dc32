/**
 * `npm run backend -w <this chapter>`: this chapter's Django without a window.
 * The same start as src/main.ts (resolveBackend(), a free port, /health/ with a
 * deadline, a new token, the same startup errors); it prints the bootstrap URL
 * that lets a browser in. Ctrl+C stops Django and anything it started.
 *
 *   --staged   run the staged bundle in .stage/backend (packaged settings, its
 *              own Python) instead of django/, with app data in .stage/app-data
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { BackendStartError, startBackendOnFreePort, type Backend } from "../src/backend";
import { contractEnv, LAYOUT_VARIABLE, resolveBackend, type BackendRoot } from "../src/backendRoot";
import { findRepoRoot } from "../src/paths";
import { waitForHealth, type ProjectLoadError } from "../src/readiness";
import { describeStartupFailure } from "../src/startupError";
import { generateToken, TOKEN_HEADER } from "../src/token";

const USAGE = `Usage: npm run backend -w <this chapter> [-- --staged]

Starts this chapter's Django on a free port with a new token and prints the
bootstrap URL that lets a browser in. Ctrl+C stops it.

  --staged   run the staged bundle in .stage/backend (packaged settings, its own
             Python) instead of django/, with app data in .stage/app-data
  --help     print this`;
if (process.argv.includes("--help")) {
  console.log(USAGE);
  process.exit(0);
}

/**
 * Under --reload, a project Django cannot load (a typo in settings, a model, the
 * URLconf) still serves its error page and restarts once the file is fixed, as
 * its last lines say. So the wait goes on through it (readiness.ts's
 * onProjectError), saying once per error what is wrong, and the address is
 * printed once /health/ answers. Ctrl+C ends it meanwhile; Django follows
 * through its stdin pipe.
 */
function sayOncePerError(backend: Backend, logFile: string): (error: ProjectLoadError) => void {
  let shown: string | undefined;
  return (error) => {
    if (error.message === shown) return;
    shown = error.message;
    console.error(`\nDjango cannot load the project. Its last lines:\n${backend.recentLines().slice(-15).join("\n")}\n\nFull log: ${logFile}`);
    console.error("Still running: save the fix, and the address appears here once Django answers. Ctrl+C stops it.\n");
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { staged: { type: "boolean", default: false } } });
  let root: BackendRoot;
  try {
    root = resolveBackend({ isPackaged: false, env: { ...process.env, [LAYOUT_VARIABLE]: values.staged ? "staged" : "" } });
  } catch (error) {
    console.error(`\n${(error as Error).message}\n`);
    process.exit(1);
  }
  // A bundle is read-only; without Electron's userData folder its data goes next to it.
  const appDataDir = root.devAppDataDir ?? path.join(findRepoRoot(), ".stage", "app-data");
  const logFile = path.join(appDataDir, "logs", "backend.log");
  const token = generateToken();
  let backend: Backend | undefined;
  try {
    backend = await startBackendOnFreePort({
      python: root.python,
      managePy: root.managePy,
      env: contractEnv(root, appDataDir, token),
      args: root.layout === "development" ? ["--reload"] : [],
      logFile,
    });
    await waitForHealth(backend.url, { exited: backend.exited, headers: { [TOKEN_HEADER]: token }, onProjectError: sayOncePerError(backend, logFile) });
  } catch (error) {
    const failed = error instanceof BackendStartError ? error.backend : backend;
    const failure = describeStartupFailure(error, failed?.recentLines() ?? [], logFile);
    console.error(`\n${failure.title}: ${failure.message}\n\n${failure.detail}\n`);
    await failed?.stop();
    process.exit(1);
  }
  const running = backend;
  console.log(
    [
      "",
      `Django answers at ${running.url} (${root.layout} backend, ${root.settingsModule}, no window),`,
      "only to requests that carry this session's token.",
      "Open this URL in a browser; it trades the token for a cookie:",
      "",
      `  ${running.url}desktop-auth/bootstrap/?token=${token}&next=/`,
      "",
      `Python: ${root.python}`,
      `App data: ${appDataDir}`,
      `Log: ${logFile}`,
      "Press Ctrl+C to stop it.",
      "",
    ].join("\n"),
  );
  let stopping = false;
  void running.exited.then((code) => {
    if (stopping) return;
    console.error(`Django exited with code ${code}. The last lines are in ${logFile}.`);
    process.exit(1);
  });
  const stop = () => {
    stopping = true;
    void running.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

void main();
