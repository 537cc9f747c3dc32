import { describe, expect, it } from "vitest";
import { offerRestart } from "../src/restart";
import type { StartupFailure } from "../src/startupError";

const failure = (message: string): StartupFailure => ({ title: "Flying Stable's backend stopped", message, detail: "" });

describe("offerRestart", () => {
  it("restarts once when the first restart works", async () => {
    const asked: string[] = [];
    let restarts = 0;
    let quit = false;
    await offerRestart(failure("Django exited with code 1"), {
      ask: async (shown) => (asked.push(shown.message), "restart"),
      restart: async () => void restarts++,
      describe: (error) => failure(String(error)),
      quit: () => (quit = true),
    });
    expect({ asked, restarts, quit }).toEqual({ asked: ["Django exited with code 1"], restarts: 1, quit: false });
  });

  it("asks again with the new failure while restarts fail, and quits when the user says so", async () => {
    const asked: string[] = [];
    const answers = ["restart", "restart", "quit"] as const;
    let restarts = 0;
    let quit = false;
    await offerRestart(failure("first"), {
      ask: async (shown) => answers[asked.push(shown.message) - 1]!,
      restart: async () => {
        restarts++;
        throw new Error(`still broken ${restarts}`);
      },
      describe: (error) => failure((error as Error).message),
      quit: () => (quit = true),
    });
    expect(asked).toEqual(["first", "still broken 1", "still broken 2"]);
    expect({ restarts, quit }).toEqual({ restarts: 2, quit: true });
  });
});
