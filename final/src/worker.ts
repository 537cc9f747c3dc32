/**
 * Supervises an optional background worker: a second Python process running a
 * management command that a Django app declared with `desktop_worker_command`
 * on its AppConfig (Django reports them in its SERVING line). It starts after Django is healthy, is restarted a bounded
 * number of times when it crashes, and stops with the app. The lifetime rule
 * is the same as Django's: it exits when its stdin closes.
 */
import { startManageCommand, type ManagedProcess, type ManageCommandOptions } from "./backend";

export interface WorkerOptions extends Omit<ManageCommandOptions, "args"> {
  command: string;
  /** Restarts allowed after crashes before the worker is given up on. */
  maxRestarts?: number;
  /** Wait before a restart; it grows with each restart. */
  restartDelayMs?: number;
  log?: (message: string) => void;
}

export interface SupervisedWorker {
  readonly command: string;
  restarts(): number;
  current(): ManagedProcess | undefined;
  stop(): Promise<void>;
}

export function superviseWorker(options: WorkerOptions): SupervisedWorker {
  const { command, maxRestarts = 3, restartDelayMs = 500, log = console.warn } = options;
  let restarts = 0;
  let stopped = false;
  let current: ManagedProcess | undefined;

  const launch = () => {
    const process = startManageCommand({ ...options, args: [command] });
    current = process;
    void process.exited.then((code) => {
      if (stopped || current !== process) return;
      if (restarts >= maxRestarts) {
        current = undefined;
        log(`Worker ${command} exited with code ${code} and has crashed ${restarts + 1} times; not restarting it. Its output is in the backend log.`);
        return;
      }
      restarts += 1;
      log(`Worker ${command} exited with code ${code}; restarting it (${restarts} of ${maxRestarts}).`);
      setTimeout(() => {
        if (!stopped) launch();
      }, restartDelayMs * restarts);
    });
  };

  launch();
  return {
    command,
    restarts: () => restarts,
    current: () => current,
    stop: async () => {
      stopped = true;
      await current?.stop();
    },
  };
}
