/**
 * `npm run dev`: starts Electron on the compiled main process. The Electron
 * binary downloads on first use; when it is missing and cannot be downloaded,
 * this explains what to do in one paragraph instead of a stack trace.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

if (process.argv.includes("--help")) {
  console.log(
    "Usage: npm run dev (or npm run start:packaged, from chapter 04 on)\n\n" +
      "Compiles the shell and starts it in Electron: dev against the project folder, start:packaged\n" +
      "against the staged bundle. Arguments after -- go to Electron; no options of its own.",
  );
  process.exit(0);
}

const electronDir = path.dirname(require.resolve("electron/package.json"));

function installedBinary(): string | undefined {
  const pathFile = path.join(electronDir, "path.txt");
  if (!existsSync(pathFile)) return undefined;
  const binary = path.join(electronDir, "dist", readFileSync(pathFile, "utf8").trim());
  return existsSync(binary) ? binary : undefined;
}

/**
 * Electron's own installer ignores ELECTRON_SKIP_BINARY_DOWNLOAD, so the
 * variable is honoured here: CI sets it so that no test ever downloads and
 * starts a real Electron by accident. Returns why no binary came, if none did.
 */
function downloadBinary(): { binary?: string; failure: string } {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    return { failure: "ELECTRON_SKIP_BINARY_DOWNLOAD is set, so no download was tried." };
  }
  console.log("Downloading the Electron binary from GitHub (once; later runs reuse it)...");
  const result = spawnSync(process.execPath, [path.join(electronDir, "install.js")], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const binary = installedBinary();
  const lastError = result.stderr?.split("\n").find((line) => line.trim() && !/^\s+at /.test(line));
  return { binary, failure: `The download failed: ${lastError?.trim() ?? `the installer exited with code ${result.status}`}` };
}

function explainMissingBinary(failure: string): never {
  // start:packaged runs the staged bundle, so its fallback is the staged backend.
  const backend = process.env.DDS_BACKEND_LAYOUT === "staged" ? "npm run backend -w final -- --staged" : "npm run backend -w final";
  console.error(
    "\nThe Electron binary is not installed, so the desktop window cannot open here.\n" +
      "npm installs Electron's JavaScript package; the binary itself downloads from GitHub on first use.\n" +
      `${failure}\n` +
      "On a machine with network access to GitHub, run `npx install-electron` and then this command again.\n" +
      `Without Electron you can still use the app in a browser: \`${backend}\` starts Django\n` +
      "through the same supervisor and prints the URL to open.\n",
  );
  process.exit(1);
}

function electronBinary(): string {
  const installed = installedBinary();
  if (installed) return installed;
  const { binary, failure } = downloadBinary();
  return binary ?? explainMissingBinary(failure);
}

const binary = electronBinary();
const appDir = path.resolve(__dirname, "..");
const electron = spawn(binary, [appDir, ...process.argv.slice(2)], { stdio: "inherit" });
electron.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => electron.kill(signal));
}
