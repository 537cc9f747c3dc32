/**
 * Django stopped while the app was open: the user chooses Restart or Quit.
 * A restart that fails too (in development: the code is not fixed yet) asks
 * again with the new failure, until Django runs or the user quits.
 */
import type { StartupFailure } from "./startupError";

export interface RestartChoices {
  /** Shows the failure with Restart and Quit; resolves with the choice. */
  ask(failure: StartupFailure): Promise<"restart" | "quit">;
  /** Starts Django again; rejects when it cannot. */
  restart(): Promise<void>;
  /** Turns a failed restart into what the next question shows. */
  describe(error: unknown): StartupFailure;
  quit(): void;
}

export async function offerRestart(failure: StartupFailure, choices: RestartChoices): Promise<void> {
  let shown = failure;
  for (;;) {
    if ((await choices.ask(shown)) === "quit") {
      choices.quit();
      return;
    }
    try {
      await choices.restart();
      return;
    } catch (error) {
      shown = choices.describe(error);
    }
  }
}
