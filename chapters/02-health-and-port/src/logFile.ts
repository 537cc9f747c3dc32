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
import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";

/** One process's log stays under twice this size: the current file and one older. */
export const LOG_FILE_CAP_BYTES = 1_000_000;

/** `logs/backend.log` -> `logs/backend.1.log`: where the older half of the log goes. */
export function olderLogFile(file: string): string {
  const extension = path.extname(file);
  return `${file.slice(0, file.length - extension.length)}.1${extension}`;
}

/** The app cannot write where it keeps its data and logs: a read-only folder, a full disk, or no permission. */
export class FolderNotWritableError extends Error {
  override name = "FolderNotWritableError";
  constructor(
    /** The folder the app needs to write in. */
    readonly folder: string,
    /** The nearest folder that exists on the way to it: the one that refused. */
    readonly refusing: string,
    readonly code: string,
  ) {
    super(
      `The folder ${folder} is not writable (${code}${refusing === folder ? "" : ` in ${refusing}`}). The app keeps its data and logs there: ` +
        "give your user account write access to it (or free space on its disk), then start the app again.",
    );
  }
}

/** Creates `folder` if needed and proves a file can be written in it; throws FolderNotWritableError, which says where, if not. */
export function ensureWritableFolder(folder: string): void {
  const probe = path.join(folder, `.write-test-${process.pid}`);
  try {
    mkdirSync(folder, { recursive: true });
    appendFileSync(probe, "");
    rmSync(probe, { force: true });
  } catch (error) {
    let refusing = folder;
    while (!existsSync(refusing) && path.dirname(refusing) !== refusing) refusing = path.dirname(refusing);
    throw new FolderNotWritableError(folder, refusing, (error as NodeJS.ErrnoException).code ?? "unknown error");
  }
}

/** Returns a function that appends one line to `file`, moving the file aside once it passes `capBytes`. */
export function openLogFile(file: string, capBytes = LOG_FILE_CAP_BYTES): (line: string) => void {
  ensureWritableFolder(path.dirname(file));
  return (line) => {
    try {
      appendFileSync(file, `${line}\n`);
      if (statSync(file).size > capBytes) renameSync(file, olderLogFile(file));
    } catch {
      // A full disk or a file someone locked must not stop the app; the lines stay in recentLines().
    }
  };
}
