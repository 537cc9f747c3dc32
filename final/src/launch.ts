/**
 * `npm run dev`: starts Electron on the compiled main process. The Electron
 * binary downloads on first use; when it is missing and cannot be downloaded,
 * this explains what to do in one paragraph instead of a stack trace.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const electronDir = path.dirname(require.resolve("electron/package.json"));

function installedBinary(): string | undefined {
  const pathFile = path.join(electronDir, "path.txt");
  if (!existsSync(pathFile)) return undefined;
  const binary = path.join(electronDir, "dist", readFileSync(pathFile, "utf8").trim());
  return existsSync(binary) ? binary : undefined;
}

function downloadBinary(): string | undefined {
  console.log("Downloading the Electron binary (first run only)...");
  spawnSync(process.execPath, [path.join(electronDir, "install.js")], { stdio: ["ignore", "ignore", "pipe"] });
  return installedBinary();
}

const binary = installedBinary() ?? downloadBinary();
if (!binary) {
  console.error(
    "\nThe Electron binary is not installed, so the desktop window cannot open here.\n" +
      "npm installs Electron's JavaScript package, and the binary itself downloads from GitHub on first use;\n" +
      "that download failed (no network to GitHub, or ELECTRON_SKIP_BINARY_DOWNLOAD is set).\n" +
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
