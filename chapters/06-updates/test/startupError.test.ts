import { describe, expect, it } from "vitest";
import { BackendStartError, type Backend } from "../src/backend";
import { FolderNotWritableError } from "../src/logFile";
import { HealthTimeoutError } from "../src/readiness";
import { describeStartupFailure } from "../src/startupError";

describe("describeStartupFailure", () => {
  const logFile = "/home/me/.dev-data/logs/backend.log";

  it("names a crash, shows Django's last lines and the log path", () => {
    const failure = describeStartupFailure(new BackendStartError("Django exited with code 1 before it started serving.", {} as Backend), ["Traceback", "ImportError: boom"], logFile);
    expect(failure.message).toBe("Django stopped while starting. Django exited with code 1 before it started serving.");
    expect(failure.detail).toContain("ImportError: boom");
    expect(failure.detail).toContain(`Full log: ${logFile}`);
  });

  it("names a missed deadline", () => {
    const failure = describeStartupFailure(new HealthTimeoutError("Django did not answer in 30 s."), [], logFile);
    expect(failure.message).toContain("did not become ready in time");
    expect(failure.detail).toContain("(Django printed nothing)");
  });

  it("says the app-data folder is not writable, and where, instead of pointing at a log that cannot exist", () => {
    const error = new FolderNotWritableError("/home/me/.config/App/logs", "/home/me/.config/App", "EACCES");
    const failure = describeStartupFailure(error, [], logFile);
    expect(failure.message).toBe(
      "The folder /home/me/.config/App/logs is not writable (EACCES in /home/me/.config/App). The app keeps its data and logs there: " +
        "give your user account write access to it (or free space on its disk), then start the app again.",
    );
    expect(failure.detail).toBe(`Nothing was started, and no log could be written (${logFile}).`);
  });

  it("passes on what to do when Python is missing", () => {
    const failure = describeStartupFailure(new Error("Django's virtualenv is missing. Run `npm run setup:python`."), [], logFile);
    expect(failure.message).toBe("The backend could not be started. Django's virtualenv is missing. Run `npm run setup:python`.");
  });
});
