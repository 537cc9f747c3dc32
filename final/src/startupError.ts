/**
 * What the user sees when the app cannot start, or when Django stops while
 * the app is open: which cause, Django's last lines, and where the full log
 * is. Never a blank window or a stack trace.
 */
import { AppStartError } from "./app";
import { BackendStartError } from "./backend";
import { FolderNotWritableError } from "./logFile";
import { BackendExitedError, HealthTimeoutError } from "./readiness";
import project from "./project";

export interface StartupFailure {
  title: string;
  message: string;
  detail: string;
}

function detailFor(recentLines: string[], logFile: string): string {
  const lastLines = recentLines.length ? recentLines.slice(-15).join("\n") : "(Django printed nothing)";
  return `Last lines from Django:\n${lastLines}\n\nFull log: ${logFile}`;
}

export function describeStartupFailure(error: unknown, recentLines: string[], logFile: string): StartupFailure {
  const detail = detailFor(recentLines, logFile);
  const title = `${project.productName} could not start`;
  if (error instanceof FolderNotWritableError) {
    // Django never ran, and the log the detail would point at could not be created.
    return { title, message: error.message, detail: `Nothing was started, and no log could be written (${logFile}).` };
  }
  if (error instanceof BackendStartError || error instanceof BackendExitedError) {
    return { title, message: `Django stopped while starting. ${error.message}`, detail };
  }
  if (error instanceof HealthTimeoutError) {
    return { title, message: `Django did not become ready in time. ${error.message}`, detail };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { title, message: `The backend could not be started. ${message}`, detail };
}

/** A rejected startApp() (or anything thrown before it) as the dialog shows it, with Django's last lines when there were any. */
export function describeAppStartFailure(error: unknown, logFile: string): StartupFailure {
  const cause = error instanceof AppStartError ? error.cause : error;
  return describeStartupFailure(cause, error instanceof AppStartError ? error.recentLines : [], logFile);
}

// #region unexpected-exit
/**
 * Django exited on its own after it had started: a real crash. An edit that
 * breaks the project in development does not end up here: under `--reload`
 * Django keeps running, shows the error in the window and restarts once the
 * file is fixed (django/desktop_runtime/devloop.py).
 */
export function describeUnexpectedExit(exit: { code: number | null; recentLines: string[] }, logFile: string, development: boolean): StartupFailure {
  const how = exit.code === null ? "was ended by a signal" : `exited with code ${exit.code}`;
  const next = development
    ? "If its last lines show an error in your code (settings, models, an app's setup), fix it, then restart."
    : "Restart to start it again; if it stops again, the full log says why.";
  return { title: `${project.productName}'s backend stopped`, message: `Django ${how} while the app was running. ${next}`, detail: detailFor(exit.recentLines, logFile) };
}
// #endregion unexpected-exit
