import { _electron as electron, expect, test } from "@playwright/test";
import path from "node:path";
import { chapterDir, electronBinary, SKIP_REASON } from "./support";

const binary = electronBinary();
test.skip(!binary, SKIP_REASON);

test("a Django that cannot start ends in the error dialog, and the app waits for it", async () => {
  // A PYTHONHOME that points nowhere stops django/.venv's Python before Django loads (exit code 1).
  const env = { ...process.env, PYTHONHOME: path.join(chapterDir, "no-such-python-home") } as Record<string, string>;
  const app = await electron.launch({ executablePath: binary!, args: [chapterDir], env });
  const child = app.process();
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    // The shell prints what the dialog says.
    await expect.poll(() => stderr, { timeout: 30_000 }).toContain("Django stopped while starting");
    // The dialog is waiting for the user, so the app is still running.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(child.exitCode).toBeNull();
  } finally {
    child.kill();
  }
});
