/**
 * The backend's log file, with a size cap. Each process the shell starts has
 * its own file (`backend.log`, and in final/ `worker.log`), written only by the
 * shell. When a file passes its cap it becomes `<name>.1.log`, replacing the
 * older one, and a new file starts: one process's output never takes more
 * than twice the cap on disk.
 *
 * Every line is appended with its own open and close, so no handle stays open
 * between writes. That is what lets the rename work on Windows, where a file
 * another handle holds open cannot be renamed (the reason the Django
 * processes write no log file of their own: they print, and the shell writes).
 */
import { appendFileSync, mkdirSync, renameSync, statSync } from "node:fs";
import path from "node:path";

/** One process's log stays under twice this size: the current file and one older. */
export const LOG_FILE_CAP_BYTES = 1_000_000;

/** `logs/backend.log` -> `logs/backend.1.log`: where the older half of the log goes. */
export function olderLogFile(file: string): string {
  const extension = path.extname(file);
  return `${file.slice(0, file.length - extension.length)}.1${extension}`;
}

/** Returns a function that appends one line to `file`, moving the file aside once it passes `capBytes`. */
export function openLogFile(file: string, capBytes = LOG_FILE_CAP_BYTES): (line: string) => void {
  mkdirSync(path.dirname(file), { recursive: true });
  return (line) => {
    try {
      appendFileSync(file, `${line}\n`);
      if (statSync(file).size > capBytes) renameSync(file, olderLogFile(file));
    } catch {
      // A full disk or a file someone locked must not stop the app; the lines stay in recentLines().
    }
  };
}
