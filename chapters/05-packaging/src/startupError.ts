/**
 * What the user sees when the app cannot start: which cause, Django's last
 * lines, and where the full log is. Never a blank window or a stack trace.
 */
import { BackendStartError } from "./backend";
import { FolderNotWritableError } from "./logFile";
import { BackendExitedError, HealthTimeoutError } from "./readiness";

export interface StartupFailure {
  title: string;
  message: string;
  detail: string;
}

export function describeStartupFailure(error: unknown, recentLines: string[], logFile: string): StartupFailure {
  const lastLines = recentLines.length ? recentLines.slice(-15).join("\n") : "(Django printed nothing)";
  const detail = `Last lines from Django:\n${lastLines}\n\nFull log: ${logFile}`;
  const title = "Flying Stable could not start";
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
