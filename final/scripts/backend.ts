/**
 * `npm run backend`: the app without Electron. Starts Django and its
 * worker through the same startApp() the desktop shell uses, then prints the
 * bootstrap URL that opens the app in any browser. Ctrl+C stops everything.
 * If Django stops on its own, this says why and exits with code 1. If the
 * project logs the local user in by itself (auto-login), it also warns: a
 * browser sends the token cookie to every server on 127.0.0.1, whatever the port.
 *
 * Options:
 *   --staged          run the staged bundle in <stage>/backend (packaged settings) instead of the project folder
 *   --app-data <dir>  where the database and logs go (default: the project's devAppData, or <stage>/app-data with --staged)
 */
import path from "node:path";
import { parseArgs } from "node:util";
import packageJson from "../package.json";
import { AppStartError, startApp } from "../src/app";
import { contractEnv } from "../src/backendRoot";
import { describeBackup } from "../src/backup";
import { projectPaths } from "../src/paths";
import project from "../src/project";
import { describeStartupFailure, describeUnexpectedExit, type StartupFailure } from "../src/startupError";
import { generateToken } from "../src/token";
import { resolveBackendOrExit } from "./resolveBackendOrExit";

const USAGE = `Usage: npm run backend -w final [-- options]

The app without Electron: starts Django and its worker as the shell does and
prints the bootstrap URL that opens the app in a browser. Ctrl+C stops it.

  --staged          run the staged bundle (packaged settings) instead of the project folder
  --app-data <dir>  where the database and logs go (default: the project's
                    devAppData, or <stage>/app-data with --staged)
  --help            print this`;
if (process.argv.includes("--help")) {
  console.log(USAGE);
  process.exit(0);
}

/** The bootstrap cookie is scoped to the host, not the port: in a browser, auto-login lends the account to any local server. */
const AUTO_LOGIN_WARNING = [
  "Warning: this project logs requests with the token in as its local user (auto-login).",
  "A browser sends the token cookie to every server on 127.0.0.1 it visits, whatever the port,",
  "so while this runs, any other local server the browser opens can act as that user.",
  "Use a browser profile for this app alone, or the desktop app, where the cookie never leaves the window.",
].join("\n");

function fail(failure: StartupFailure): never {
  console.error(`\n${failure.title}: ${failure.message}\n\n${failure.detail}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { "app-data": { type: "string" }, staged: { type: "boolean", default: false } } });
  const root = resolveBackendOrExit(values.staged ?? false);
  // npm runs the script inside the shell's folder; INIT_CWD is where the command was typed.
  const typedFrom = process.env.INIT_CWD ?? process.cwd();
  const appDataDir = path.resolve(typedFrom, values["app-data"] ?? root.devAppDataDir ?? path.join(projectPaths().stageDir, "app-data"));
  const logFile = path.join(appDataDir, "logs", "backend.log");
  const token = generateToken();
  let app;
  let autoLogin = false;
  try {
    app = await startApp({
      python: root.python,
      managePy: root.managePy,
      env: contractEnv(root, appDataDir, token),
      token,
      // Like the desktop app: a version that has not run on this database before backs it up first.
      currentVersion: packageJson.version,
      logFile,
      workerLogFile: path.join(appDataDir, "logs", "worker.log"),
      onUnexpectedExit: (exit) => fail(describeUnexpectedExit(exit, logFile, root.layout === "development")),
      onServing: (serving) => (autoLogin ||= serving.auto_login === true),
    });
  } catch (error) {
    fail(describeStartupFailure(error instanceof AppStartError ? error.cause : error, error instanceof AppStartError ? error.recentLines : [], logFile));
  }
  console.log(
    [
      "",
      `${project.productName} is running without Electron (${root.layout} backend, ${root.settingsModule}).`,
      "Open this URL in a browser; it carries this session's token and sets a cookie:",
      "",
      `  ${app.bootstrapUrl}`,
      "",
      `Workers: ${app.workers.map((worker) => worker.command).join(", ") || "none"}`,
      `App data: ${appDataDir}`,
      ...(app.backup ? [describeBackup(app.backup)] : []),
      `Log: ${logFile}`,
      "Press Ctrl+C to stop Django and its worker.",
      "",
    ].join("\n"),
  );
  if (autoLogin) console.warn(`${AUTO_LOGIN_WARNING}\n`);
  const stop = () => void app.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

void main();
