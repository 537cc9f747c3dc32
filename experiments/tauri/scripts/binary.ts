/** Where `tauri build` puts the shell's executable: src-tauri/target/<profile>/. */
import path from "node:path";
import { fileURLToPath } from "node:url";

export const workspaceDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const targetDir = path.join(workspaceDir, "src-tauri", "target");

export function shellBinary(profile: "debug" | "release"): string {
  return path.join(targetDir, profile, process.platform === "win32" ? "flying-stable-tauri.exe" : "flying-stable-tauri");
}
