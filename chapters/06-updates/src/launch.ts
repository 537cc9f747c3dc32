/**
 * `npm run dev`: starts Electron on the compiled main process, or explains in
 * one paragraph why it cannot when the Electron binary is not installed.
 */
import { spawn } from "node:child_process";
import path from "node:path";

function electronBinary(): string | undefined {
  try {
    // Under plain Node, the electron package exports the binary's path (downloading it on first use).
    return require("electron") as unknown as string;
  } catch {
    return undefined;
  }
}

const binary = electronBinary();
if (!binary) {
  console.error(
    "\nThe Electron binary is not installed, so the desktop window cannot open here.\n" +
      "npm installs Electron's JavaScript package, and the binary itself downloads from GitHub on first use;\n" +
      "that download failed (no network to GitHub, or ELECTRON_SKIP_BINARY_DOWNLOAD was set).\n" +
      "On a machine with network access, run `npx install-electron` and then this command again.\n" +
      "Without Electron you can still use the app in a browser: `npm run backend -w final` starts Django\n" +
      "through the same supervisor and prints the URL to open.\n",
  );
  process.exit(1);
}

const appDir = path.resolve(__dirname, "..");
const electron = spawn(binary, [appDir, ...process.argv.slice(2)], { stdio: "inherit" });
electron.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => electron.kill(signal));
}
