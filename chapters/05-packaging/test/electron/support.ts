/**
 * Support for the real-Electron tests: the Electron binary's path when it is
 * installed (without triggering its download, which requiring the `electron`
 * package would do), and the window that shows Django.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { ElectronApplication, Page } from "@playwright/test";

export function electronBinary(): string | undefined {
  const packageDir = path.dirname(require.resolve("electron/package.json"));
  const pathFile = path.join(packageDir, "path.txt");
  if (!existsSync(pathFile)) return undefined;
  const binary = path.join(packageDir, "dist", readFileSync(pathFile, "utf8").trim());
  return existsSync(binary) ? binary : undefined;
}

export const SKIP_REASON = "Electron binary not installed here (it downloads from GitHub on first use); this suite runs in GitHub Actions";

// The list reporter shows a skipped test without its reason, so the reason is printed once here.
if (!electronBinary()) console.log(`Skipping the real-Electron tests: ${SKIP_REASON}.`);

export const chapterDir = path.resolve(__dirname, "..", "..");

/** The first window showing Django (a splash window may come first). */
export async function djangoWindow(app: ElectronApplication, timeoutMs = 30_000): Promise<Page> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = app.windows().find((page) => page.url().startsWith("http://127.0.0.1:"));
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`No window showed Django within ${timeoutMs / 1000} s.`);
}
