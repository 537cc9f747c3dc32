/**
 * The backend root for the command-line scripts (`npm run backend`, `npm run check`):
 * the project folder, or the staged bundle with --staged. When it cannot be found
 * (no bundle staged yet), prints what to do and exits with code 1, no stack trace.
 */
import { LAYOUT_VARIABLE, resolveBackend, type BackendRoot } from "../src/backendRoot";

export function resolveBackendOrExit(staged: boolean, shellDir?: string): BackendRoot {
  try {
    return resolveBackend({ isPackaged: false, env: { ...process.env, [LAYOUT_VARIABLE]: staged ? "staged" : "" }, shellDir });
  } catch (error) {
    console.error(`\n${(error as Error).message}\n`);
    process.exit(1);
  }
}
