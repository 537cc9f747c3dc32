/**
 * Where the wrap may write: only inside the target, and never through a
 * symbolic link. A `.github/workflows` that links to a folder elsewhere, or a
 * dangling `.gitignore` link, would otherwise make the wrap write outside the
 * project it was pointed at. Every path is checked before anything is written,
 * so a refusal leaves the project as it was.
 */
import { lstatSync, realpathSync } from "node:fs";
import path from "node:path";
import { WrapRefusal } from "./inspect.ts";

/** lstat, or undefined when nothing (not even a dangling link) is there. */
function entry(file: string) {
  try {
    return lstatSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Refuses (WrapRefusal) when writing `file` would leave `root` or follow a
 * link: every part of the path below root that exists must be a real folder
 * (the file itself a real file or folder), and root's real path must hold it.
 */
export function refuseUnsafeWrite(root: string, file: string): void {
  const realRoot = realpathSync.native(root);
  const relative = path.relative(root, file);
  if (!relative || relative.startsWith("..") || path.isAbsolute(relative)) {
    throw new WrapRefusal(`The wrap would write ${file}, which is outside the project ${root}. It writes only inside the project: this is a bug in npm run wrap, please report it.`);
  }
  let current = root;
  for (const part of relative.split(path.sep)) {
    current = path.join(current, part);
    const found = entry(current);
    if (!found) return;
    if (found.isSymbolicLink()) {
      let points: string;
      try {
        points = `a link to ${realpathSync.native(current)}`;
      } catch {
        points = "a dangling link";
      }
      throw new WrapRefusal(
        `${current} is ${points}. The wrap never writes through a link, so that it cannot change anything outside ${root}: ` +
          "replace the link with a real file or folder (or remove it), then run the wrap again.",
      );
    }
    const real = realpathSync.native(current);
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
      throw new WrapRefusal(`${current} resolves to ${real}, outside the project ${realRoot}; the wrap writes only inside the project.`);
    }
  }
}
