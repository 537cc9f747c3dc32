/**
 * The optional change to a wrapped project's manage.py that WRAP.md offers:
 * the starter's own django/manage.py starts the stdin-EOF watch and pauses
 * Python's cycle collector before Django loads, and hands `desktop_serve
 * --reload` to desktop_runtime.devloop, so the dev loop survives a typo. A
 * wrapped project keeps its own manage.py, where desktop_settings/__init__.py
 * starts the watch a moment later (before the project's settings and apps
 * load), and the other two do not happen at all.
 */

const SETTINGS_DEFAULT = /^([ \t]*)os\.environ\.setdefault\(\s*["']DJANGO_SETTINGS_MODULE["']/;
const DJANGO_IMPORT = /^([ \t]*)from django\.core\.management import execute_from_command_line[ \t]*$/;
const ALREADY_CHANGED = "desktop_runtime.devloop";

/** The change as a diff of the project's own manage.py lines; undefined when its manage.py has an unusual shape. */
export function managePyDiff(source: string): string | undefined {
  const lines = source.split(/\r?\n/);
  const settingsLine = lines.findIndex((line) => SETTINGS_DEFAULT.test(line));
  const importLine = lines.findIndex((line) => DJANGO_IMPORT.test(line));
  if (settingsLine === -1 || importLine <= settingsLine) return undefined;
  const indent = SETTINGS_DEFAULT.exec(lines[settingsLine]!)![1]!;
  const importIndent = DJANGO_IMPORT.exec(lines[importLine]!)![1]!;
  return [
    ` ${lines[settingsLine]}`,
    `+${indent}from desktop_runtime.lifetime import watch_stdin_before_django_loads`,
    `+${indent}watch_stdin_before_django_loads(sys.argv)`,
    `+${indent}from desktop_runtime.startup import pause_gc_until_serving`,
    `+${indent}pause_gc_until_serving(sys.argv)`,
    ...lines.slice(settingsLine + 1, importLine).map((line) => ` ${line}`),
    `-${lines[importLine]}`,
    `+${importIndent}from desktop_runtime.devloop import execute_from_command_line`,
  ].join("\n");
}

/** The WRAP.md section: what the change gives and the diff for this project's manage.py. */
export function managePySection(source: string, settingsModule: string): string {
  const intro = [
    "## Optional: a five-line change to your manage.py",
    "",
    "The wrap leaves your `manage.py` alone, so three things the starter's own `manage.py` does",
    "start late or not at all, because they must come before Django loads your settings and models:",
    "",
    "- **The backend never outlives the window, even while it starts.** The shell holds a pipe",
    "  on Django's stdin; when the shell dies, the pipe closes and Django exits. `desktop_settings`",
    "  starts that watch before your settings and apps load; started from `manage.py`, it also",
    "  covers the moment Django itself takes to import.",
    "- **`npm run dev` survives a typo in a model or in settings.** `desktop_serve --reload`",
    "  catches an error in a view by itself, but Django's own command line loads settings and",
    "  models before any command runs, so an error there ends the dev loop. With the change",
    "  the file watcher starts first: the error shows in the window, and saving the fix",
    "  brings the app back.",
    "- **The app starts sooner.** Python's cycle collector waits until `desktop_serve` is",
    "  bound, instead of running again and again while Django loads and finding next to",
    "  nothing to free (about 30 ms of a 400 ms start on the starter's reference machine).",
    "",
  ];
  if (source.includes(ALREADY_CHANGED)) {
    return [...intro, "Your `manage.py` already calls `desktop_runtime.devloop`: nothing to do.", ""].join("\n");
  }
  const diff = managePyDiff(source);
  if (diff) {
    return [...intro, "In `manage.py` (the other commands run exactly as before):", "", "```diff", diff, "```", ""].join("\n");
  }
  return [
    ...intro,
    "Your `manage.py` has an unusual shape, so here is the idea rather than a diff: right after",
    `it sets \`DJANGO_SETTINGS_MODULE\` (\`${settingsModule}\`), add`,
    "",
    "```python",
    "from desktop_runtime.lifetime import watch_stdin_before_django_loads",
    "watch_stdin_before_django_loads(sys.argv)",
    "from desktop_runtime.startup import pause_gc_until_serving",
    "pause_gc_until_serving(sys.argv)",
    "```",
    "",
    "and import `execute_from_command_line` from `desktop_runtime.devloop` instead of",
    "`django.core.management`.",
    "",
  ].join("\n");
}
