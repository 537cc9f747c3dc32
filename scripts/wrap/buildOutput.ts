/**
 * Which path settings point at build output the app only reads: a frontend
 * manifest (VITE_MANIFEST_PATH, django-vite's manifest_path, webpack-loader's
 * stats file) inside a static folder or the frontend build's folder. The wrap
 * reads the settings as text, so it follows the common shapes:
 * `BASE_DIR / "static" / "dist"`, `BASE_DIR / "../frontend/dist"`,
 * `os.path.join(BASE_DIR, "static")` and a `ROOT_DIR = BASE_DIR.parent`.
 * desktop_settings/writable.py applies the same rule at run time on the
 * resolved paths, and leaves such a setting where it is.
 */

/** A path as its base variable and the folders below it ("..", "frontend", "dist"). */
interface SettingPath {
  base: string;
  parts: string[];
}

const BASES = /\b(BASE_DIR|PROJECT_ROOT|ROOT_DIR|PROJECT_DIR|REPO_ROOT|ROOT)\b/;

function normalized(parts: string[]): string[] {
  const out: string[] = [];
  for (const part of parts) {
    if (!part || part === ".") continue;
    if (part === ".." && out.length && out.at(-1) !== "..") out.pop();
    else out.push(part);
  }
  return out;
}

/** `ROOT_DIR = BASE_DIR.parent` and the like: each alias with the base it leads to. */
function aliasesOf(settingsText: string): Map<string, SettingPath> {
  const aliases = new Map<string, SettingPath>();
  for (const match of settingsText.matchAll(/^(\w+)\s*=\s*(\w+)((?:\.parent)+)\s*(?:#.*)?$/gm)) {
    if (BASES.test(match[2]!)) aliases.set(match[1]!, { base: match[2]!, parts: match[3]!.split(".parent").slice(1).map(() => "..") });
  }
  return aliases;
}

/** The path an expression builds from a base variable, or undefined when it names none. */
function pathOf(expression: string, aliases: Map<string, SettingPath>): SettingPath | undefined {
  const base = BASES.exec(expression);
  if (!base) return undefined;
  const rest = expression.slice(base.index + base[0].length);
  const parents = /^((?:\.parent)*)/.exec(rest)![1]!.split(".parent").slice(1).map(() => "..");
  const literals = [...rest.matchAll(/["']([^"']*)["']/g)].flatMap((match) => match[1]!.split("/"));
  const alias = aliases.get(base[1]!);
  return alias ? { base: alias.base, parts: normalized([...alias.parts, ...parents, ...literals]) } : { base: base[1]!, parts: normalized([...parents, ...literals]) };
}

/** The text of `NAME = [ ... ]` (or a tuple) in the settings, brackets matched, or undefined. */
function listOf(settingsText: string, name: string): string | undefined {
  const start = new RegExp(`^${name}\\s*=\\s*[\\[(]`, "m").exec(settingsText);
  if (!start) return undefined;
  let depth = 0;
  for (let index = start.index + start[0].length - 1; index < settingsText.length; index += 1) {
    const char = settingsText[index]!;
    if ("[(".includes(char)) depth += 1;
    else if ("])".includes(char) && --depth === 0) return settingsText.slice(start.index + start[0].length, index);
  }
  return undefined;
}

const inside = (candidate: SettingPath, folder: SettingPath) =>
  candidate.base === folder.base && folder.parts.length > 0 && folder.parts.every((part, index) => candidate.parts[index] === part);

export interface BuildOutput {
  /** What it lies in, for WRAP.md: "STATICFILES_DIRS's BASE_DIR / \"static\"". */
  reason: string;
  /** True when it lies outside manage.py's folder (a path that climbs above BASE_DIR). */
  outside: boolean;
}

/**
 * Whether the path setting on `line` points at build output the app only
 * reads, and where: inside a STATICFILES_DIRS entry, STATIC_ROOT, a static/
 * folder, or the frontend build's folder (`frontendCwd`, relative to manage.py's folder).
 */
export function buildOutputOf(line: string, settingsText: string, frontendCwd?: string): BuildOutput | undefined {
  const aliases = aliasesOf(settingsText);
  const value = line.replace(/^[^=:]*[=:]\s*/, "");
  const target = pathOf(value, aliases);
  if (!target) return undefined;
  const outside = target.base === "BASE_DIR" && target.parts[0] === "..";
  const entries = (listOf(settingsText, "STATICFILES_DIRS") ?? "").split(/,\s*(?![^()]*\))/).map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    const folder = pathOf(entry.replace(/^\(\s*["'][^"']*["']\s*,/, ""), aliases);
    if (folder && inside(target, folder)) return { reason: `STATICFILES_DIRS's ${entry.replace(/[()]/g, "").trim()}`, outside };
  }
  const staticRoot = /^STATIC_ROOT\s*=\s*(.+)$/m.exec(settingsText)?.[1];
  const staticRootPath = staticRoot && pathOf(staticRoot, aliases);
  if (staticRootPath && inside(target, staticRootPath)) return { reason: "STATIC_ROOT", outside };
  const frontend = frontendCwd && normalized(frontendCwd.split("/"));
  if (frontend && frontend.some((part) => part !== "..") && inside(target, { base: "BASE_DIR", parts: frontend })) {
    return { reason: `the frontend build's folder (${frontendCwd}/)`, outside };
  }
  if (target.parts.slice(0, -1).includes("static")) return { reason: "a static/ folder", outside };
  return undefined;
}
