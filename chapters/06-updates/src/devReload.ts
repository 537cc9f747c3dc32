/**
 * The browser half of the dev loop: a template or static file edit reloads the
 * window. Python edits need nothing here: Django's autoreloader restarts the
 * server, and the shell reloads when desktop_serve reports it is serving again.
 */
import path from "node:path";
import { watch } from "chokidar";

const SKIPPED = new Set([".venv", ".dev-data", "__pycache__", "node_modules", ".git"]);
const RELOADING = new Set(["templates", "static"]);

/** True for files under a `templates` or `static` folder of the Django project. */
export function isTemplateOrStatic(djangoDir: string, file: string): boolean {
  const parts = path.relative(djangoDir, file).split(path.sep);
  return parts.slice(0, -1).some((part) => RELOADING.has(part));
}

/** Calls `reload` (debounced) after template or static edits; returns a function that stops watching. */
export function watchTemplatesAndStatic(djangoDir: string, reload: () => void, debounceMs = 100): () => Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(djangoDir, {
    ignoreInitial: true,
    ignored: (file) => path.relative(djangoDir, file).split(path.sep).some((part) => SKIPPED.has(part)),
  });
  watcher.on("all", (_event, file) => {
    if (!isTemplateOrStatic(djangoDir, file)) return;
    clearTimeout(timer);
    timer = setTimeout(reload, debounceMs);
  });
  return async () => {
    clearTimeout(timer);
    await watcher.close();
  };
}
