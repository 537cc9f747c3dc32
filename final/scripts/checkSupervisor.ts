/**
 * A stand-in for the desktop shell, used by `npm run check` (contractChecks.ts):
 * it starts the backend through startApp(), exactly as the shell does, prints
 * what it started on one line, and then waits to be killed. Killing this
 * process with SIGKILL is the harshest way a shell can die: nothing in it can
 * clean up, so only the contract's lifetime rule (the backend and its workers
 * exit when their stdin closes) ends them.
 *
 * Input: CHECK_SUPERVISOR_OPTIONS, JSON of SupervisorOptions.
 * Output: `CHECK_SUPERVISOR_READY {"url": ..., "pids": [...]}` or `CHECK_SUPERVISOR_FAILED {"message": ..., "recentLines": [...]}`.
 */
import { AppStartError, startApp } from "../src/app";

export const READY_PREFIX = "CHECK_SUPERVISOR_READY ";
export const FAILED_PREFIX = "CHECK_SUPERVISOR_FAILED ";
export const OPTIONS_VARIABLE = "CHECK_SUPERVISOR_OPTIONS";

export interface SupervisorOptions {
  python: string;
  managePy: string;
  env: Record<string, string>;
  token: string;
  logFile: string;
  workerLogFile: string;
}

export interface SupervisorReady {
  url: string;
  /** Django's pid and each worker's; each leads its own process group on macOS and Linux. */
  pids: number[];
}

async function main(): Promise<void> {
  const options = JSON.parse(process.env[OPTIONS_VARIABLE] ?? "{}") as SupervisorOptions;
  try {
    const app = await startApp({ ...options, log: () => undefined });
    const pids = [app.backend.child.pid, ...app.workers.map((worker) => worker.current()?.child.pid)].filter((pid): pid is number => pid !== undefined);
    process.stdout.write(`${READY_PREFIX}${JSON.stringify({ url: app.backend.url, pids } satisfies SupervisorReady)}\n`);
    // If the check itself goes away, stop politely; the check's lifetime test kills this process instead.
    process.stdin.on("end", () => void app.stop().then(() => process.exit(0)));
    process.stdin.resume();
  } catch (error) {
    const recentLines = error instanceof AppStartError ? error.recentLines : [];
    process.stdout.write(`${FAILED_PREFIX}${JSON.stringify({ message: (error as Error).message, recentLines })}\n`);
    process.exit(1);
  }
}

if (process.env[OPTIONS_VARIABLE]) void main();
