/**
 * What `npm run wrap` finds in a Django project before it changes anything:
 * where manage.py and the settings are, how static files and logins work, and
 * everything it cannot decide for you, each with the file and line it came from.
 *
 * It reads files as text and never imports or runs the project, so it works on
 * any checkout, without the project's virtualenv.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { parse as parseToml } from "smol-toml";
import { leaveOutServerOnly, normalizedName, requirementsFileLines, resolveFromUvLock, resolveFromVirtualenv, type LeftOut, type Requirement, type Resolved } from "./dependencies.ts";
import { starterPin } from "./starterPins.ts";
import { buildOutputOf } from "./buildOutput.ts";
import { detectFrontendBuild, ignoredStaticFiles, type FrontendBuild } from "./frontendBuild.ts";
import { choosePython, type PythonChoice } from "./pythonVersion.ts";

/** Something in the project the wrap cannot settle itself, with where it was seen and what to do. */
export interface Decision {
  topic: "login" | "cdn" | "frontend" | "writes" | "dependencies" | "python" | "database" | "settings" | "tests" | "workers" | "branding";
  where: string;
  found: string;
  todo: string;
}

export interface ProjectReport {
  root: string;
  /** The git repository's root holding manage.py's folder (root itself outside git): where .github/workflows/ goes. */
  repository: string;
  /** The settings module the desktop settings build on, e.g. `librarysite.settings`: --settings, else manage.py's default, else the module the project deploys with when that one is a development module. */
  settingsModule: string;
  /** The module manage.py defaults DJANGO_SETTINGS_MODULE to, if it names one. */
  managePySettings?: string;
  /** The settings file, relative to root; a package's `__init__.py` when settings is a package. */
  settingsFile: string;
  settingsKind: "single file" | "package" | "module of a settings package";
  rootUrlconf?: string;
  usesWhiteNoise: boolean;
  loginGated: boolean;
  /** The virtualenv folder found beside manage.py, if any. */
  venv?: string;
  requirements?: string;
  /** The top-level requirements the desktop keeps, and those it leaves out (with why). */
  keptRequirements: Requirement[];
  leftOutRequirements: LeftOut[];
  /** The full resolved set desktop/requirements-desktop.txt lists. */
  resolvedRequirements: Resolved;
  /** Task queues the project uses; huey and django-q2 get a worker command. */
  queues: TaskQueue[];
  /** The environment variable SECRET_KEY is read from without a usable default, and where. */
  secretKeyVariable?: string;
  secretKeyWhere?: string;
  /** The project's own test settings, when it has some. */
  testSettings?: { module: string; where: string };
  /** How the project's tests run: pytest (pytest-django), with what said so, or Django's own runner. */
  testRunner: TestRunner;
  usesAdmin: boolean;
  /** The project's frontend build, when it has one: the stage runs it before collectstatic. */
  frontendBuild?: FrontendBuild;
  /** The bundled runtime's CPython minor version ("3.12", "3.13"), and what in the project chose it. */
  pythonVersion: string;
  pythonReasons: string[];
  /** The app's default name and description as the project states them (pyproject.toml, setup.cfg, the README's title), and which file said so. */
  appName?: string;
  appDescription?: string;
  appNameSource?: string;
  decisions: Decision[];
}

export class WrapRefusal extends Error {}

const SKIPPED_DIRS = new Set([".git", "node_modules", ".venv", "venv", "env", "__pycache__", "desktop", "desktop_runtime", "desktop_settings", "static", "media", ".dev-data", ".tox"]);

/** Every file below root with one of the extensions, skipping virtualenvs, VCS and build folders. */
function filesBelow(root: string, extensions: string[], dir = root, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith(".")) filesBelow(root, extensions, path.join(dir, entry.name), found);
    } else if (extensions.some((extension) => entry.name.endsWith(extension))) {
      found.push(path.join(dir, entry.name));
    }
  }
  return found;
}

/** Each line of `file` matching `pattern`, as `relative/path.py:12` with the trimmed line. */
function matchingLines(root: string, file: string, pattern: RegExp): Array<{ where: string; line: string }> {
  const lines = readFileSync(file, "utf8").split("\n");
  const relative = path.relative(root, file).split(path.sep).join("/");
  return lines.flatMap((line, index) => (pattern.test(line) ? [{ where: `${relative}:${index + 1}`, line: line.trim() }] : []));
}

function settingValue(text: string, name: string): string | undefined {
  return new RegExp(`^${name}\\s*=\\s*["']([^"']*)["']`, "m").exec(text)?.[1];
}

/** A settings line that loads a .env file into the environment: django-environ's read_env or python-dotenv's load_dotenv. */
const DOTENV_LOAD = /^(?!\s*#).*\b(read_env|load_dotenv)\s*\(/;

/** django-environ's Env.<cast> methods whose default is the third positional argument (the second is a cast); for the others it is the second. */
const ENVIRON_CAST_FIRST = new Set(["list", "tuple", "dict"]);
/** django-environ methods that read a fixed variable when called without one. */
const ENVIRON_DEFAULT_VARIABLE: Record<string, string> = { db: "DATABASE_URL", db_url: "DATABASE_URL", cache: "CACHE_URL", cache_url: "CACHE_URL", email: "EMAIL_URL", email_url: "EMAIL_URL", search_url: "SEARCH_URL" };

/** The text from an opening parenthesis to its matching one (exclusive), skipping strings; undefined when unbalanced. */
function callArguments(text: string, open: number): string | undefined {
  let depth = 0;
  let quote: string | undefined;
  for (let index = open; index < text.length; index += 1) {
    const char = text[index]!;
    if (quote) {
      if (char === "\\") index += 1;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === "(" || char === "[" || char === "{") depth += 1;
    else if (char === ")" || char === "]" || char === "}") {
      depth -= 1;
      if (depth === 0) return text.slice(open + 1, index);
    }
  }
  return undefined;
}

/** A call's top-level arguments, split at commas outside brackets and strings. */
function splitArguments(args: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let index = 0; index < args.length; index += 1) {
    const char = args[index]!;
    if (quote) {
      if (char === "\\") index += 1;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if ("([{".includes(char)) depth += 1;
    else if (")]}".includes(char)) depth -= 1;
    else if (char === "," && depth === 0) {
      parts.push(args.slice(start, index).trim());
      start = index + 1;
    }
  }
  parts.push(args.slice(start).trim());
  return parts.filter(Boolean);
}

/**
 * Settings read through django-environ (`env("X")`, `env.db("DATABASE_URL")`)
 * or python-decouple (`config("X")`) with no default: each raises at import
 * when the variable is unset. A default may be `default=`, a positional one,
 * or django-environ's scheme in `environ.Env(X=(cast, default))`.
 */
export function requiredEnvReads(root: string, file: string): Array<{ where: string; line: string; variable: string; library: string }> {
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const relative = path.relative(root, file).split(path.sep).join("/");
  const readers = new Map<string, "django-environ" | "python-decouple">();
  const schemeDefaults = new Set<string>();
  for (const match of text.matchAll(/^\s*(\w+)\s*=\s*(?:environ\.)?Env\s*\(/gm)) {
    readers.set(match[1]!, "django-environ");
    const args = callArguments(text, match.index + match[0].length - 1) ?? "";
    for (const arg of splitArguments(args)) {
      // X=(cast, default) declares a default; X=cast or X=(cast,) does not.
      const scheme = /^(\w+)\s*=\s*\((.*)\)$/s.exec(arg);
      if (scheme && splitArguments(scheme[2]!).length >= 2) schemeDefaults.add(scheme[1]!);
    }
  }
  if (/^\s*from\s+decouple\s+import\s+[^\n]*\bconfig\b/m.test(text)) readers.set("config", "python-decouple");
  if (/^\s*import\s+decouple\b/m.test(text)) readers.set("decouple.config", "python-decouple");
  for (const match of text.matchAll(/^\s*(\w+)\s*=\s*(?:decouple\.)?(?:AutoConfig|Config)\s*\(/gm)) readers.set(match[1]!, "python-decouple");
  const found: Array<{ where: string; line: string; variable: string; library: string }> = [];
  for (const [reader, library] of readers) {
    const call = new RegExp(`(?<![\\w.])${reader.replace(".", "\\.")}(?:\\.(\\w+))?\\s*\\(`, "g");
    for (const match of text.matchAll(call)) {
      const method = match[1];
      if (method === "read_env" || method === "ENVIRON" || (method && library === "python-decouple")) continue;
      const lineIndex = text.slice(0, match.index).split("\n").length - 1;
      const line = lines[lineIndex]!;
      if (/^\s*#/.test(line) || /^\s*(?:def|class)\b/.test(line) || /^\s*\w+\s*=\s*(?:environ\.)?Env\s*\(/.test(line)) continue;
      const args = splitArguments(callArguments(text, match.index + match[0].length - 1) ?? "");
      const positional = args.filter((arg) => !/^\w+\s*=[^=]/.test(arg));
      const named = /^["'](\w+)["']$/.exec(positional[0] ?? "")?.[1];
      const variable = named ?? (positional.length === 0 && method ? ENVIRON_DEFAULT_VARIABLE[method] : undefined);
      if (!variable || args.some((arg) => /^default\s*=/.test(arg))) continue;
      const defaultPosition = library === "django-environ" && (!method || ENVIRON_CAST_FIRST.has(method)) ? 2 : 1;
      if (positional.length > defaultPosition || (library === "django-environ" && schemeDefaults.has(variable))) continue;
      found.push({ where: `${relative}:${lineIndex + 1}`, line: line.trim(), variable, library });
    }
  }
  return found.sort((a, b) => a.where.localeCompare(b.where, undefined, { numeric: true }));
}

const LOGIN = /\b(login_required|LoginRequiredMixin|LoginRequiredMiddleware|PermissionRequiredMixin|permission_required)\b/;
const REMOTE_ASSET = /<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*["'](https?:)?\/\/[^"']+["']/i;
const FILE_WRITE = /\bopen\([^)]*["'][wax]b?\+?["']|\.write_text\(|\.write_bytes\(|FileSystemStorage\(/;

/**
 * The oldest Django desktop_runtime supports: Django 5.2 LTS, the long-term
 * release many projects stay on (`npm test` runs desktop_runtime's tests on it,
 * pinned in django/desktop_runtime/tests/requirements-django52.txt). The newest
 * is the starter's own pin in django/requirements.txt.
 */
export const OLDEST_DJANGO: [number, number] = [5, 2];

function newestDjango(): [number, number] {
  const [major, minor] = /==(\d+)\.(\d+)/.exec(starterPin("Django"))!.slice(1).map(Number);
  return [major!, minor!];
}

/** The Django versions desktop_runtime is tested on, for the wrap's texts: "Django 5.2 LTS to 6.1". */
export function testedDjango(): string {
  return `Django ${OLDEST_DJANGO.join(".")} LTS to ${newestDjango().join(".")}`;
}

const compareVersions = (a: [number, number], b: [number, number]) => a[0] - b[0] || a[1] - b[1];

/**
 * A decision when a requirement line pins (==, ~=) or caps (<, <=) Django below
 * the oldest supported version, or pins one newer than the starter's; else undefined.
 */
export function djangoVersionDecision(where: string, line: string): Decision | undefined {
  const specifiers = /^django(?![\w.-])\s*([^;#]*)/i.exec(line.trim())?.[1] ?? "";
  const bounds = specifiers
    .split(",")
    .map((specifier) => /^\s*(==|~=|<=|<)\s*(\d+)\.(\d+)/.exec(specifier))
    .filter((match) => match !== null)
    .map(([, operator, major, minor]) => ({ operator: operator!, version: [Number(major), Number(minor)] as [number, number] }));
  const oldest = OLDEST_DJANGO.join(".");
  const newest = newestDjango();
  const tested = testedDjango();
  const belowOldest = bounds.some(({ operator, version }) =>
    operator === "<" ? compareVersions(version, OLDEST_DJANGO) <= 0 : compareVersions(version, OLDEST_DJANGO) < 0,
  );
  if (belowOldest) {
    return {
      topic: "dependencies",
      where,
      found: `a Django older than ${oldest}: ${line.trim()}`,
      todo:
        `desktop_runtime and the desktop settings are tested on ${tested}, and may not even import on an older one. ` +
        `Upgrade the project to Django ${oldest} LTS first (pin Django==${oldest}.*, run its tests, fix what they report), then run npm run check in desktop/.`,
    };
  }
  if (bounds.some(({ operator, version }) => (operator === "==" || operator === "~=") && compareVersions(version, newest) > 0)) {
    return {
      topic: "dependencies",
      where,
      found: `a Django newer than the ones desktop_runtime is tested on: ${line.trim()}`,
      todo: `desktop_runtime is tested on ${tested}. It is likely to work: npm run check in desktop/ tells, every check must hold.`,
    };
  }
  return undefined;
}

const DEV_MODULE = /(^|\.)(dev|local|development|debug|local_settings)$/;

/** Where a settings module lives and its shape, or undefined when it does not exist. */
function settingsShape(root: string, module: string): { file: string; kind: ProjectReport["settingsKind"] } | undefined {
  const modulePath = path.join(root, ...module.split("."));
  if (existsSync(path.join(modulePath, "__init__.py"))) return { file: path.join(modulePath, "__init__.py"), kind: "package" };
  if (!existsSync(`${modulePath}.py`)) return undefined;
  const inPackage = existsSync(path.join(path.dirname(modulePath), "__init__.py")) && path.dirname(modulePath) !== root;
  return { file: `${modulePath}.py`, kind: inPackage && /settings$/.test(path.basename(path.dirname(modulePath))) ? "module of a settings package" : "single file" };
}

/** A settings package's `from .dev import *` (or .local, .development): the line number and text. */
function devImportOf(init: string): { line: number; text: string } | undefined {
  const lines = init.split("\n");
  const index = lines.findIndex((line) => /^\s*from\s+\.(dev|local|development|debug|local_settings)\s+import\b/.test(line));
  return index >= 0 ? { line: index + 1, text: lines[index]!.trim() } : undefined;
}

/**
 * The module of settings package `pkg` the project deploys with: the one its
 * wsgi.py or asgi.py names when that is a module of the package, else
 * production.py, prod.py, deploy.py, live.py, then base.py, common.py.
 */
function deployModule(root: string, pkg: string): string | undefined {
  const served = filesBelow(root, [".py"])
    .filter((file) => /^(wsgi|asgi)\.py$/.test(path.basename(file)))
    .map((file) => /DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']/.exec(readFileSync(file, "utf8"))?.[1])
    .find((module) => module && module.startsWith(`${pkg}.`) && !DEV_MODULE.test(module) && settingsShape(root, module));
  if (served) return served;
  return ["production", "prod", "deploy", "live", "base", "common"].map((name) => `${pkg}.${name}`).find((module) => settingsShape(root, module));
}

/** Templates Django serves: files below a `templates` folder (an app's, or the project's TEMPLATES DIRS by convention). */
function servedByDjango(file: string): boolean {
  return file.split(path.sep).includes("templates");
}

/**
 * The environment variable SECRET_KEY is read from when the settings give it no
 * usable default: os.environ["X"], os.environ.get("X") or os.getenv("X") without
 * a non-empty string default (or with `or None`), django-environ or decouple
 * without a default. Undefined when SECRET_KEY has a default or is a literal.
 */
export function secretKeyRead(root: string, files: string[]): { variable: string; where: string } | undefined {
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const relative = path.relative(root, file).split(path.sep).join("/");
    for (const match of text.matchAll(/^SECRET_KEY\s*=\s*/gm)) {
      const line = text.slice(0, match.index).split("\n").length;
      const rest = text.slice(match.index + match[0].length);
      const environ = /^os\.environ\[\s*["'](\w+)["']\s*\]/.exec(rest);
      if (environ) return { variable: environ[1]!, where: `${relative}:${line}` };
      const get = /^(?:os\.environ\.get|os\.getenv)\s*\(/.exec(rest);
      if (get) {
        const args = splitArguments(callArguments(rest, get[0].length - 1) ?? "");
        const variable = /^["'](\w+)["']$/.exec(args[0] ?? "")?.[1];
        const fallback = args[1] ?? "";
        const afterCall = rest.slice((callArguments(rest, get[0].length - 1) ?? "").length + get[0].length + 1);
        const usable = /^["'][^"']+["']$/.test(fallback.trim()) && !/^\s*or\s+None\b/.test(afterCall);
        if (variable && !usable) return { variable, where: `${relative}:${line}` };
      }
    }
    const read = requiredEnvReads(root, file).find((use) => /^SECRET_KEY\s*=/.test(use.line));
    if (read) return { variable: read.variable, where: read.where };
  }
  return undefined;
}

/** A task queue the project uses: where it was seen, and the desktop worker command the wrap writes for it (huey, django-q2). */
export interface TaskQueue {
  name: "huey" | "django-q2" | "celery" | "rq" | "dramatiq";
  where: string;
  worker?: string;
}

const QUEUES: Array<{ name: TaskQueue["name"]; settings: RegExp; requirement: RegExp; worker?: string }> = [
  { name: "huey", settings: /huey\.contrib\.djhuey|^HUEY\s*=/m, requirement: /^huey\b/i, worker: "desktop_huey_worker" },
  { name: "django-q2", settings: /["']django_q["']|^Q_CLUSTER\s*=/m, requirement: /^django-q2?\b/i, worker: "desktop_django_q_worker" },
  { name: "celery", settings: /^CELERY_\w+\s*=|["']django_celery_\w+["']/m, requirement: /^(celery|django-celery-\w+)\b/i },
  { name: "rq", settings: /^RQ_QUEUES\s*=|["']django_rq["']/m, requirement: /^(rq|django-rq)\b/i },
  { name: "dramatiq", settings: /^DRAMATIQ_\w+\s*=|["']django_dramatiq["']/m, requirement: /^(dramatiq|django-dramatiq)\b/i },
];

/** The task queues named in the settings files or the requirement lines. */
function taskQueues(root: string, settingsFiles: string[], requirementUses: Array<{ where: string; line: string }>): TaskQueue[] {
  const found: TaskQueue[] = [];
  for (const queue of QUEUES) {
    const inSettings = settingsFiles.flatMap((file) => {
      const lines = readFileSync(file, "utf8").split("\n");
      const index = lines.findIndex((line) => queue.settings.test(line));
      return index >= 0 ? [`${path.relative(root, file).split(path.sep).join("/")}:${index + 1}`] : [];
    })[0];
    const inRequirements = requirementUses.find((use) => queue.requirement.test(use.line))?.where;
    const where = inSettings ?? inRequirements;
    if (where) found.push({ name: queue.name, where, worker: queue.worker });
  }
  return found;
}

const TEST_MODULE_NAMES = ["test", "tests", "testing", "test_settings", "settings_test", "ci"];

/**
 * The project's own test settings: DJANGO_SETTINGS_MODULE in pytest's config
 * (pytest.ini, pyproject.toml, setup.cfg, tox.ini), else a test/tests/testing/ci
 * module of the settings package, else test_settings.py beside the settings.
 */
export function testSettingsOf(root: string, settingsModule: string, settingsKind: ProjectReport["settingsKind"]): { module: string; where: string } | undefined {
  const configs: Array<[string, RegExp]> = [
    ["pytest.ini", /^\[pytest\][\s\S]*?^\s*DJANGO_SETTINGS_MODULE\s*=\s*([\w.]+)/m],
    ["pyproject.toml", /^\[tool\.pytest\.ini_options\][\s\S]*?^\s*DJANGO_SETTINGS_MODULE\s*=\s*["']([\w.]+)["']/m],
    ["setup.cfg", /^\[tool:pytest\][\s\S]*?^\s*DJANGO_SETTINGS_MODULE\s*=\s*([\w.]+)/m],
    ["tox.ini", /^\[pytest\][\s\S]*?^\s*DJANGO_SETTINGS_MODULE\s*=\s*([\w.]+)/m],
  ];
  for (const [file, pattern] of configs) {
    const full = path.join(root, file);
    if (!existsSync(full)) continue;
    const text = readFileSync(full, "utf8");
    const match = pattern.exec(text);
    if (match && settingsShape(root, match[1]!)) {
      const line = text.slice(0, match.index + match[0].length).split("\n").length;
      return { module: match[1]!, where: `${file}:${line}` };
    }
  }
  const packageModule = settingsKind === "module of a settings package" ? settingsModule.replace(/\.\w+$/, "") : settingsKind === "package" ? settingsModule : undefined;
  const parent = settingsModule.includes(".") ? settingsModule.replace(/\.\w+$/, "") : "";
  const candidates = [
    ...(packageModule ? TEST_MODULE_NAMES.map((name) => `${packageModule}.${name}`) : []),
    ...(parent ? ["test_settings", "settings_test"].map((name) => `${parent}.${name}`) : []),
    "test_settings",
    "settings_test",
  ];
  const module = candidates.find((candidate) => candidate !== settingsModule && settingsShape(root, candidate));
  return module ? { module, where: `${path.join(...module.split(".")).split(path.sep).join("/")}.py` } : undefined;
}

/** How the project's tests run, and the command that runs them on the desktop test settings (from manage.py's folder). */
export type TestRunner = { name: "pytest"; where: string; command: string } | { name: "django"; command: string };

export const DJANGO_TEST_COMMAND = "DJANGO_SETTINGS_MODULE=desktop_settings.test python manage.py test";
export const PYTEST_COMMAND = "python -m pytest --ds=desktop_settings.test";

/**
 * pytest, when pytest's config names DJANGO_SETTINGS_MODULE (pytest.ini,
 * pyproject.toml's [tool.pytest.ini_options], setup.cfg's [tool:pytest],
 * tox.ini) or a requirements or project file names pytest-django, in
 * manage.py's folder or one above it up to the repository's root; else
 * Django's runner. `manage.py test` finds none of a pytest suite's tests.
 */
export function testRunnerOf(root: string, folders: string[]): TestRunner {
  const shown = (file: string) => path.relative(root, file).split(path.sep).join("/");
  const configs: Array<[string, RegExp]> = [
    ["pytest.ini", /^\[pytest\][\s\S]*?^\s*DJANGO_SETTINGS_MODULE\s*=/m],
    ["pyproject.toml", /^\[tool\.pytest\.ini_options\][\s\S]*?^\s*DJANGO_SETTINGS_MODULE\s*=/m],
    ["setup.cfg", /^\[tool:pytest\][\s\S]*?^\s*DJANGO_SETTINGS_MODULE\s*=/m],
    ["tox.ini", /^\[pytest\][\s\S]*?^\s*DJANGO_SETTINGS_MODULE\s*=/m],
  ];
  for (const folder of folders) {
    for (const [name, pattern] of configs) {
      const file = path.join(folder, name);
      if (!existsSync(file)) continue;
      const text = readFileSync(file, "utf8");
      const match = pattern.exec(text);
      if (match) return { name: "pytest", where: `${shown(file)}:${text.slice(0, match.index + match[0].length).split("\n").length}`, command: PYTEST_COMMAND };
    }
  }
  for (const folder of folders) {
    const requirementFiles = existsSync(path.join(folder, "requirements")) && statSync(path.join(folder, "requirements")).isDirectory()
      ? readdirSync(path.join(folder, "requirements")).filter((name) => name.endsWith(".txt") || name.endsWith(".in")).map((name) => path.join("requirements", name))
      : [];
    const candidates = [...readdirSync(folder).filter((name) => /^requirements.*\.(txt|in)$/.test(name)), ...requirementFiles, "pyproject.toml", "setup.cfg", "setup.py", "Pipfile"];
    for (const name of candidates) {
      const file = path.join(folder, name);
      if (!existsSync(file) || !statSync(file).isFile()) continue;
      const lines = readFileSync(file, "utf8").split("\n");
      const index = lines.findIndex((line) => !/^\s*#/.test(line) && /(^|[^\w-])pytest[-_]django\b/i.test(line));
      if (index >= 0) return { name: "pytest", where: `${shown(file)}:${index + 1}`, command: PYTEST_COMMAND };
    }
  }
  return { name: "django", command: DJANGO_TEST_COMMAND };
}

export interface InspectOptions {
  /** --settings: the settings module to build on, instead of the one manage.py names. */
  settings?: string;
  /** --keep: packages to keep in the desktop requirements although the wrap would leave them out. */
  keep?: string[];
}

/** Reads the project at `root`; throws WrapRefusal with one paragraph when it is not a Django project. */
export function inspectProject(root: string, options: InspectOptions = {}): ProjectReport {
  const managePy = path.join(root, "manage.py");
  if (!existsSync(managePy)) {
    throw new WrapRefusal(
      `${root} has no manage.py, so it is not the top of a Django project. Point npm run wrap at the folder that holds manage.py ` +
        "(the wrap never moves files, so the desktop shell is added beside it).",
    );
  }
  const managePyModule = /DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']/.exec(readFileSync(managePy, "utf8"))?.[1];
  if (options.settings && !/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(options.settings)) {
    throw new WrapRefusal(`--settings ${options.settings} is not a Python module path: give the dotted module, for example --settings mysite.settings.production.`);
  }
  const settingsModule = options.settings ?? managePyModule;
  if (!settingsModule) {
    throw new WrapRefusal(
      `${managePy} does not set a default DJANGO_SETTINGS_MODULE (os.environ.setdefault("DJANGO_SETTINGS_MODULE", "...")), so the wrap cannot tell which settings to build on. ` +
        "Name them with --settings <module> (the module your deployment uses, for example --settings mysite.settings.production); the project's files stay as they are.",
    );
  }
  const named = settingsShape(root, settingsModule);
  if (!named) {
    const modulePath = path.join(root, ...settingsModule.split("."));
    throw new WrapRefusal(
      `${options.settings ? "--settings names" : "manage.py names"} the settings module ${settingsModule}, but neither ${modulePath}.py nor ${modulePath}/__init__.py exists. ` +
        "Give the module the project deploys with as --settings <module>.",
    );
  }
  const decisions: Decision[] = [];
  const relative = (file: string) => path.relative(root, file).split(path.sep).join("/");
  // A development module (named by manage.py, or star-imported by the package's __init__) must not
  // ship in the packaged app: the desktop settings build on the module the project deploys with.
  const devModule = named.kind === "module of a settings package" && DEV_MODULE.test(settingsModule) ? settingsModule : undefined;
  // The package's __init__.py runs before any of its modules: a dev import there runs dev.py whatever module is named, --settings too.
  const packageInit = named.kind === "package" ? named.file : named.kind === "module of a settings package" ? path.join(path.dirname(named.file), "__init__.py") : undefined;
  const packageModule = named.kind === "package" ? settingsModule : settingsModule.replace(/\.\w+$/, "");
  const initImport = packageInit && existsSync(packageInit) ? devImportOf(readFileSync(packageInit, "utf8")) : undefined;
  const deployed = !options.settings && (devModule || (initImport && named.kind === "package")) ? deployModule(root, packageModule) : undefined;
  const chosen = deployed ? { module: deployed, ...settingsShape(root, deployed)! } : { module: settingsModule, ...named };
  if (initImport) {
    const devName = /\.(\w+)/.exec(initImport.text)![1]!;
    const devFile = `${packageModule.split(".").join("/")}/${devName}.py`;
    const guard = `if os.environ.get("DJANGO_SETTINGS_MODULE") == "${packageModule}": ${initImport.text.replace(/\s*#.*$/, "")}`;
    decisions.push({
      topic: "settings",
      where: `${relative(packageInit!)}:${initImport.line}`,
      found: `the settings package ${packageModule} imports its development module: ${initImport.text}; Python runs ${relative(packageInit!)} before any module of the package, so ${devFile} runs whenever ${chosen.module} is imported, in the packaged app too`,
      todo:
        (chosen.module === packageModule
          ? "The desktop settings build on the package itself, so they carry the development settings: wrap again with --settings <module> naming the module the project deploys with (production.py, base.py). "
          : `The desktop settings build on ${chosen.module}${deployed ? ", the module the project deploys with" : ""}, so they do not take over ${devFile}'s values, but ${devFile} still runs first: its imports (development-only packages the bundle may not install) and what it does at import time happen in the desktop app too. `) +
        `Make ${relative(packageInit!)} import it only when the package itself is the settings module: \`import os\` and \`${guard}\`, ` +
        `or empty that file and name ${packageModule}.${devName} where developers set DJANGO_SETTINGS_MODULE. Then \`npm run check -- --staged\` in desktop/.`,
    });
  }
  if (devModule) {
    decisions.push({
      topic: "settings",
      where: relative(named.file),
      found: deployed
        ? `manage.py defaults to the development module ${settingsModule}; the desktop settings build on ${deployed}, the module the project deploys with`
        : `the desktop settings build on ${settingsModule}, the development module manage.py defaults to`,
      todo: deployed
        ? "Nothing to do unless that is the wrong module: then wrap again with --settings <module>."
        : "They ship in the packaged app too: check its INSTALLED_APPS and MIDDLEWARE for development-only apps (debug toolbars, profilers) and remove them in desktop_settings/packaged.py, " +
          "or wrap again with --settings <module> naming the package's shared module (often base.py).",
    });
  }
  const settingsKind = chosen.kind;
  const settingsFile = chosen.file;
  // A settings package spreads its values over several files (base.py, dev.py, ...): read them all.
  const settingsFiles =
    settingsKind === "single file" ? [settingsFile] : filesBelow(root, [".py"], path.dirname(settingsFile));
  const settingsText = settingsFiles.map((file) => readFileSync(file, "utf8")).join("\n");
  const python = filesBelow(root, [".py"]).filter((file) => !file.includes(`${path.sep}migrations${path.sep}`));
  const templates = filesBelow(root, [".html", ".htm", ".txt"]).filter(servedByDjango);
  const usesAdmin = /["']django\.contrib\.admin["']/.test(settingsText);
  if (usesAdmin) {
    decisions.push({
      topic: "login",
      where: relative(settingsFile),
      found: "Django's admin is installed",
      todo:
        "The auto-login user is not staff, so /admin/ asks for a login. If the one local user should reach the admin, set DESKTOP_AUTO_LOGIN_SUPERUSER = True in desktop_settings/base.py; " +
        "otherwise leave the admin out of the desktop app.",
    });
  }

  const loginUses = python.flatMap((file) => matchingLines(root, file, LOGIN));
  const loginGated = loginUses.length > 0 || /^LOGIN_URL\s*=/m.test(settingsText);
  if (loginGated) {
    decisions.push({
      topic: "login",
      where: loginUses.slice(0, 5).map((use) => use.where).join(", ") || relative(settingsFile),
      found: "pages behind a login",
      todo:
        "The desktop settings add desktop_runtime.middleware.DesktopAutoLoginMiddleware, which logs the one local user in (as DESKTOP_AUTO_LOGIN_USERNAME, default " +
        '"desktop") for requests from the shell. Keep it for a single-user app; remove it from desktop_settings/base.py if the app should show its login page.',
    });
  }
  const authUserModel = settingValue(settingsText, "AUTH_USER_MODEL");
  if (authUserModel) {
    decisions.push({
      topic: "login",
      where: relative(settingsFile),
      found: `a custom user model, ${authUserModel}`,
      todo: "The auto-login creates the local user with only its USERNAME_FIELD; if the model requires other fields, set their defaults or create the user in a data migration.",
    });
  }

  for (const file of templates) {
    for (const use of matchingLines(root, file, REMOTE_ASSET)) {
      const url = /["']((?:https?:)?\/\/[^"']+)["']/.exec(use.line)?.[1];
      decisions.push({
        topic: "cdn",
        where: use.where,
        found: `an asset loaded from another host: ${url}`,
        todo: "Vendor it: save the file under a static folder of the project and load it with {% static %} (the app must work offline, and the shell keeps pages on 127.0.0.1).",
      });
    }
  }

  const mediaRoot = /^MEDIA_ROOT\s*=.*$/m.exec(settingsText)?.[0];
  if (mediaRoot) {
    decisions.push({
      topic: "writes",
      where: relative(settingsFile),
      found: mediaRoot.trim(),
      todo: "Nothing to do: the desktop settings move MEDIA_ROOT into the app-data folder and serve it. Check that uploads still work with `npm run backend`.",
    });
  }
  for (const file of python) {
    for (const use of matchingLines(root, file, FILE_WRITE)) {
      decisions.push({
        topic: "writes",
        where: use.where,
        found: `a file write: ${use.line}`,
        todo: "An installed app's code folder is read-only: write into settings.DESKTOP_DJANGO_APP_DATA_DIR (or MEDIA_ROOT) instead of a path next to the code.",
      });
    }
  }
  const secretKey = secretKeyRead(root, settingsFiles);
  if (secretKey) {
    decisions.push({
      topic: "settings",
      where: secretKey.where,
      found: `SECRET_KEY is read from the environment variable ${secretKey.variable} with no usable default`,
      todo:
        `Nothing to do: desktop_settings/base.py gives ${secretKey.variable} a development-only value when it is unset, so the settings load in development and in tests; ` +
        "the packaged app replaces SECRET_KEY with a key made on first run and kept in the user's app-data folder.",
    });
  }
  const handled = (where: string) => where === secretKey?.where;
  for (const use of settingsFiles.flatMap((file) => matchingLines(root, file, /os\.environ\[["']\w+["']\]/)).filter((use) => !handled(use.where))) {
    decisions.push({
      topic: "settings",
      where: use.where,
      found: `a setting that requires an environment variable: ${use.line}`,
      todo: "The desktop app starts without your deployment's environment: give it a default (os.environ.get) or set it in desktop_settings/base.py before the import.",
    });
  }
  for (const use of settingsFiles.flatMap((file) => requiredEnvReads(root, file)).filter((use) => !handled(use.where))) {
    decisions.push({
      topic: "settings",
      where: use.where,
      found: `a setting that requires an environment variable (${use.library}, no default): ${use.line}`,
      todo: `The desktop app starts without your deployment's environment: give it a default (default=...) or set ${use.variable} in desktop_settings/base.py (os.environ.setdefault) before the import.`,
    });
  }
  for (const use of settingsFiles.flatMap((file) => matchingLines(root, file, DOTENV_LOAD))) {
    decisions.push({
      topic: "settings",
      where: use.where,
      found: `the settings read a .env file: ${use.line}`,
      todo:
        "The desktop app must not depend on a .env file: the stage leaves .env out of the bundle, so every value the settings need must come from a default or from desktop_settings/base.py (set before the import). " +
        "Check with `npm run check -- --staged` in desktop/.",
    });
  }
  const engine = /["']ENGINE["']\s*:\s*["']([\w.]+)["']/.exec(settingsText)?.[1];
  if (engine && !engine.endsWith("sqlite3")) {
    decisions.push({
      topic: "database",
      where: relative(settingsFile),
      found: `the database engine ${engine}`,
      todo: "The desktop settings use SQLite in the app-data folder. Check that the migrations and queries work on SQLite (no Postgres-only fields or raw SQL).",
    });
  }

  // manage.py may sit below the repository's root (src/manage.py): the virtualenv, the
  // requirements, pyproject.toml and the frontend build are looked for there too.
  const searchDirs = foldersUpToRepository(root);
  const fromRoot = (dir: string, file: string) => path.relative(root, path.join(dir, file)).split(path.sep).join("/");
  const requirementsFile = searchDirs
    .flatMap((dir) => ["requirements.txt", "requirements/production.txt", "requirements/prod.txt", "requirements/base.txt"].map((file) => fromRoot(dir, file)))
    .find((file) => existsSync(path.join(root, file)));
  const pyprojectDir = searchDirs.find((dir) => existsSync(path.join(dir, "pyproject.toml"))) ?? root;
  const pyproject = readPyproject(pyprojectDir);
  const fromPyproject = requirementsFile ? undefined : pyprojectDependencies(pyprojectDir, pyproject);
  const requirements = requirementsFile ?? (fromPyproject ? "pyproject.toml" : undefined);
  const fromFile = requirementsFile ? requirementsFileLines(root, requirementsFile) : undefined;
  const declared: Requirement[] = fromFile?.requirements ?? (fromPyproject?.declared ?? []);
  const projectText = [settingsText, ...python.filter((file) => !settingsFiles.includes(file)).map((file) => readFileSync(file, "utf8"))].join("\n");
  const { kept, leftOut } = leaveOutServerOnly(declared, projectText, options.keep ?? []);
  const venvFolder = searchDirs.flatMap((dir) => [".venv", "venv", "env"].map((name) => fromRoot(dir, name))).find((name) => existsSync(path.join(root, name, "pyvenv.cfg")));
  const lockFile = path.join(pyprojectDir, "uv.lock");
  const keptNames = new Set(kept.flatMap((requirement) => (requirement.name ? [requirement.name] : [])));
  const resolved: Resolved =
    (fromPyproject && existsSync(lockFile) ? resolveFromUvLock(readFileSync(lockFile, "utf8"), typeof pyproject?.project.name === "string" ? pyproject.project.name : undefined, keptNames) : undefined) ??
    (venvFolder ? resolveFromVirtualenv(path.join(root, venvFolder, process.platform === "win32" ? "Scripts/python.exe" : "bin/python"), kept) : undefined) ?? {
      source: "declared",
      lines: kept.map((requirement) => requirement.line),
      notes: kept.every((requirement) => /==/.test(requirement.line))
        ? ["no uv.lock and no virtualenv with the packages installed, so their own dependencies are left to pip at stage time: wrap again with the virtualenv in place to pin them too"]
        : ["no uv.lock and no virtualenv with the packages installed, so the versions are the ones declared: pin each (==) to the version you test with"],
    };
  if (!requirements) {
    decisions.push({
      topic: "dependencies",
      where: "manage.py's folder",
      found: "no requirements.txt and no [project] dependencies in pyproject.toml",
      todo: "The stage installs the packages in desktop/requirements-desktop.txt into the bundled Python: list the project's runtime packages there, pinned.",
    });
  } else {
    decisions.push({
      topic: "dependencies",
      where: requirements,
      found: `the project's runtime packages: ${declared.length} declared in ${requirements}, ${resolved.lines.length} in the resolved set (from ${resolved.source === "uv.lock" ? "uv.lock" : resolved.source === "virtualenv" ? `what ${venvFolder}/ has installed` : "the declarations"})`,
      todo:
        `Nothing to do unless a note follows: desktop/requirements-desktop.txt lists them pinned${resolved.notes.length ? `; ${resolved.notes.join("; ")}` : ""}. ` +
        `Run the wrap again (after deleting that file) when ${requirements}${resolved.source === "uv.lock" ? " or uv.lock" : ""} changes.` +
        (resolved.source === "uv.lock"
          ? " Your virtualenv is uv's: it has no pip, and `uv sync` removes packages pyproject.toml does not declare, so add what the desktop settings need to its dev group instead of pip-installing it: `uv add --dev` with the waitress and WhiteNoise lines of desktop/requirements-desktop.txt."
          : ""),
    });
    for (const option of fromFile?.dropped ?? []) {
      decisions.push({
        topic: "dependencies",
        where: requirements,
        found: `an install option left out: ${option}`,
        todo: "Nothing to do: an index, trusted-host or editable line in the desktop requirements breaks the install on a machine with another index (a CI runner, a colleague's machine). If a package lives only on a private index, configure pip there (PIP_INDEX_URL) instead.",
      });
    }
    for (const dropped of leftOut) {
      decisions.push({
        topic: "dependencies",
        where: dropped.where,
        found: `left out of the desktop requirements: ${dropped.line}, ${dropped.reason}`,
        todo: `Nothing to do. If the desktop app does need it, wrap again with --keep ${dropped.name} (after deleting desktop/requirements-desktop.txt).`,
      });
    }
    const versionDecisions = declared.flatMap((use) => djangoVersionDecision(use.where, use.line) ?? []);
    // A lower bound says little: the version uv.lock locks says more.
    if (!versionDecisions.length && resolved.source === "uv.lock") {
      versionDecisions.push(...resolved.lines.flatMap((line) => (/^django==/i.test(line) ? (djangoVersionDecision("uv.lock", line) ?? []) : [])));
    }
    decisions.push(...versionDecisions);
  }
  const queues = taskQueues(root, settingsFiles, declared.map((requirement) => ({ where: requirement.where, line: requirement.line })));
  for (const queue of queues) decisions.push(queueDecision(queue));

  const testSettings = testSettingsOf(root, chosen.module, settingsKind);
  const testRunner = testRunnerOf(root, searchDirs);
  decisions.push({
    topic: "tests",
    where: testSettings?.where ?? "manage.py's folder",
    found: testSettings ? `the project's test settings, ${testSettings.module}` : "no test settings of the project's own",
    todo:
      `Nothing to do: desktop_settings/test.py ${testSettings ? `layers the desktop contract on ${testSettings.module}` : "uses the desktop development settings"}. ` +
      `Run the project's tests with \`${testRunner.command}\` in manage.py's folder; they should pass as they do on the project's own settings.` +
      (testRunner.name === "pytest"
        ? ` They run under pytest (${testRunner.where}): \`manage.py test\` would find none of them and still exit 0, so a run that reports 0 tests proves nothing.`
        : ""),
  });
  const frontendBuild = searchDirs
    .map((dir) => {
      const found = detectFrontendBuild(dir);
      // Its file and line as seen from manage.py's folder: ../package.json:9 when the build sits at the repository's root.
      return found && { ...found, cwd: fromRoot(dir, found.cwd) || ".", where: dir === root ? found.where : `${fromRoot(dir, "")}/${found.where}` };
    })
    .find((found) => found !== undefined);
  const ignoredStatic = ignoredStaticFiles(root);
  // What desktop_settings/writable.py moves at settings load: path settings, file storages, log files and file caches under the project;
  // what it leaves: path settings into a static folder or the frontend build's (build output such as a manifest, only read).
  const KEPT_PATHS = /^(BASE_DIR|STATIC_ROOT|STATICFILES_DIRS|MEDIA_ROOT|LOCALE_PATHS|FIXTURE_DIRS)\b/;
  const WRITTEN_PATH = /^\s*(?:[A-Z][A-Z0-9_]*(?:_ROOT|_DIR|_PATH|_FILE|_FOLDER)\s*=|.*["'](?:filename|location|LOCATION)["']\s*:).*\b(?:BASE_DIR|PROJECT_ROOT|ROOT_DIR)\b/;
  for (const use of settingsFiles.flatMap((file) => matchingLines(root, file, WRITTEN_PATH)).filter((use) => !KEPT_PATHS.test(use.line))) {
    const built = /^\s*[A-Z][A-Z0-9_]*\s*=/.test(use.line) ? buildOutputOf(use.line, settingsText, frontendBuild?.cwd) : undefined;
    if (built) {
      const name = /^\s*([A-Z][A-Z0-9_]*)/.exec(use.line)![1]!;
      decisions.push({
        topic: "writes",
        where: use.where,
        found: `a path into build output the app only reads, left in place: ${use.line}`,
        todo:
          `Nothing to do: ${name} points inside ${built.reason}, where a build writes what the app reads (a frontend manifest, bundles), so desktop_settings/writable.py leaves it where it is, even before the build has run. ` +
          (built.outside
            ? `It lies outside manage.py's folder, though, and the bundle carries only that folder and the collected static files: in desktop_settings/packaged.py point ${name} at its copy under STATIC_ROOT ` +
              "(collectstatic skips dot folders such as .vite/: list such a folder in STATICFILES_DIRS with a prefix in desktop_settings/base.py so that it is collected). "
            : "") +
          "The stage runs the frontend build before collectstatic; `npm run check -- --staged` shows whether the pages load their scripts and stylesheets.",
      });
      continue;
    }
    decisions.push({
      topic: "writes",
      where: use.where,
      found: `a path under the project the settings may write to: ${use.line}`,
      todo:
        "Nothing to do: desktop_settings/writable.py moves it into the app-data folder when the app does not ship what it points at (a folder the project ships is data it reads, and stays; " +
        "a path into a static folder or the frontend build's folder is build output, and stays). Check with `npm run check -- --staged`: nothing may be written inside the bundle.",
    });
  }
  if (frontendBuild) {
    decisions.push({
      topic: "frontend",
      where: frontendBuild.where,
      found: frontendBuild.found,
      todo:
        `Nothing to do: desktop/src/project.ts's frontendBuild runs ${frontendBuild.commands.map((command) => `\`${command.join(" ")}\``).join(", then ")} in ${frontendBuild.cwd === "." ? "manage.py's folder" : frontendBuild.cwd}/ before \`npm run stage\` collects static files, ` +
        `so what it writes reaches the bundle${ignoredStatic.length ? ` although git ignores it (${ignoredStatic.slice(0, 5).join(", ")})` : ""}. Run the same build before \`npm run check\` in development. Change frontendBuild there if the build needs other commands.`,
    });
  } else if (ignoredStatic.length) {
    decisions.push({
      topic: "frontend",
      where: ignoredStatic[0]!,
      found: `static files that git ignores: ${ignoredStatic.slice(0, 5).join(", ")}`,
      todo:
        "The stage leaves git-ignored files out of the bundle. If a build writes them, set frontendBuild in desktop/src/project.ts to its commands (for example [[\"npm\", \"ci\"], [\"npm\", \"run\", \"build\"]]); " +
        "if they are collectstatic's own output (STATIC_ROOT), nothing to do.",
    });
  }
  const venv = venvFolder;
  const metadata = searchDirs.map((dir) => projectMetadata(dir, readPyproject(dir))).find((found) => found.name) ?? {};
  const requiresPython = pyproject?.project["requires-python"];
  let pythonChoice: PythonChoice;
  try {
    pythonChoice = choosePython(root, typeof requiresPython === "string" ? requiresPython : undefined, venv);
  } catch (error) {
    throw new WrapRefusal((error as Error).message);
  }
  decisions.push({
    topic: "python",
    where: pythonChoice.reasons.length ? pythonChoice.reasons.map((reason) => /^(\.python-version|runtime\.txt|pyproject\.toml)/.exec(reason)?.[1] ?? `${venvFolder}/pyvenv.cfg`).join(", ") : "manage.py's folder",
    found: `the app bundles Python ${pythonChoice.pythonVersion}${pythonChoice.reasons.length ? ` (${pythonChoice.reasons.join("; ")})` : " (the project names no version)"}`,
    todo: `Nothing to do: desktop/src/project.ts's pythonVersion is ${pythonChoice.pythonVersion}, and \`npm run stage\` bundles that CPython from the pinned python-build-standalone release. Run the project's tests on a ${pythonChoice.pythonVersion} virtualenv.`,
  });
  return {
    root,
    repository: searchDirs.at(-1)!,
    settingsModule: chosen.module,
    managePySettings: managePyModule,
    settingsFile: relative(settingsFile),
    settingsKind,
    rootUrlconf: settingValue(settingsText, "ROOT_URLCONF"),
    usesWhiteNoise: /whitenoise/i.test(settingsText),
    loginGated,
    venv,
    requirements,
    keptRequirements: kept,
    leftOutRequirements: leftOut,
    resolvedRequirements: resolved,
    queues,
    secretKeyVariable: secretKey?.variable,
    secretKeyWhere: secretKey?.where,
    testSettings,
    testRunner,
    usesAdmin,
    frontendBuild,
    pythonVersion: pythonChoice.pythonVersion,
    pythonReasons: pythonChoice.reasons,
    appName: metadata.name,
    appDescription: metadata.description,
    appNameSource: metadata.source,
    decisions,
  };
}

/**
 * manage.py's folder, then each folder above it up to the root of the git
 * checkout it is in (none above it outside git): where a project's virtualenv,
 * requirements, pyproject.toml and package.json may be when manage.py sits in
 * a subfolder such as src/.
 */
export function foldersUpToRepository(root: string): string[] {
  const top = spawnSync("git", ["rev-parse", "--show-toplevel"], { cwd: root, encoding: "utf8" });
  const repository = top.status === 0 ? path.resolve(top.stdout.trim()) : undefined;
  const folders = [path.resolve(root)];
  // git names the repository by its real path (macOS: /private/var/... for /var/...): count the levels on that, walk up the given path.
  const real = realpathSync.native(folders[0]!);
  if (!repository || !(real + path.sep).startsWith(repository + path.sep)) return folders;
  const levels = path.relative(repository, real).split(path.sep).filter(Boolean).length;
  for (let level = 0; level < levels; level += 1) folders.push(path.dirname(folders.at(-1)!));
  return folders;
}

/** pyproject.toml's text and its [project] table, or undefined when the project has no pyproject.toml. */
function readPyproject(root: string): { text: string; project: { name?: unknown; description?: unknown; dependencies?: unknown; "requires-python"?: unknown } } | undefined {
  const file = path.join(root, "pyproject.toml");
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, "utf8");
  return { text, project: (parseToml(text) as { project?: Record<string, unknown> }).project ?? {} };
}

/**
 * The app's name and description as the project states them: pyproject.toml's
 * [project], else setup.cfg's [metadata], else the README's title (when it is a
 * name of at most four words) and its first paragraph. Each with where it came from.
 */
export function projectMetadata(root: string, pyproject: ReturnType<typeof readPyproject>): { name?: string; description?: string; source?: string } {
  const project = pyproject?.project ?? {};
  const text = (value: unknown) => (typeof value === "string" && value.trim() ? value.trim() : undefined);
  if (text(project.name)) return { name: text(project.name), description: text(project.description), source: "pyproject.toml" };
  const setupCfg = path.join(root, "setup.cfg");
  if (existsSync(setupCfg)) {
    const metadata = /^\[metadata\][^\S\n]*\n([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(readFileSync(setupCfg, "utf8"))?.[1] ?? "";
    const value = (key: string) => text(new RegExp(`^${key}\\s*=\\s*(.+)$`, "m").exec(metadata)?.[1]);
    if (value("name")) return { name: value("name"), description: value("description"), source: "setup.cfg" };
  }
  const readme = ["README.md", "README.rst", "README.txt", "README"].map((file) => path.join(root, file)).find((file) => existsSync(file));
  if (!readme) return {};
  const lines = readFileSync(readme, "utf8").split(/\r?\n/);
  const plain = (line: string) => line.replace(/!\[[^\]]*\]\([^)]*\)/g, "").replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[*_`]/g, "").trim();
  const titleIndex = lines.findIndex((line, index) => /^#\s+\S/.test(line) || (/^(=+|-+)$/.test(lines[index + 1] ?? "") && line.trim().length > 0));
  if (titleIndex < 0) return {};
  const title = plain(lines[titleIndex]!.replace(/^#\s+/, ""));
  if (!title || title.split(/\s+/).length > 4 || /[:(]/.test(title)) return {};
  const paragraph: string[] = [];
  for (const line of lines.slice(titleIndex + (lines[titleIndex]!.startsWith("#") ? 1 : 2))) {
    if (!line.trim()) {
      if (paragraph.length) break;
      continue;
    }
    if (/^(#|=|-{3,}|\[!\[|!\[|<|\.\. )/.test(line.trim())) {
      if (paragraph.length) break;
      continue;
    }
    paragraph.push(plain(line));
  }
  const description = paragraph.join(" ").trim();
  return { name: title, description: description && description.length <= 200 ? description : undefined, source: path.basename(readme) };
}

/**
 * pyproject.toml's [project] dependencies (PEP 621: uv, Poetry 2, Hatch, PDM)
 * as declared, each with its line; undefined when there are none.
 */
export function pyprojectDependencies(root: string, pyproject = readPyproject(root)): { declared: Requirement[] } | undefined {
  if (!pyproject) return undefined;
  const declared = pyproject.project.dependencies;
  if (!Array.isArray(declared) || declared.length === 0) return undefined;
  const lines = pyproject.text.split("\n");
  return {
    declared: declared.map((requirement) => {
      const line = String(requirement).trim();
      const index = lines.findIndex((candidate) => candidate.includes(`"${line}"`) || candidate.includes(`'${line}'`));
      const name = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line)?.[1];
      return { line, name: name ? normalizedName(name) : undefined, where: index >= 0 ? `pyproject.toml:${index + 1}` : "pyproject.toml" };
    }),
  };
}

/** What WRAP.md says about a task queue: a worker the wrap wrote, or what a desktop app does instead. */
function queueDecision(queue: TaskQueue): Decision {
  if (queue.worker) {
    return {
      topic: "workers",
      where: queue.where,
      found: `the ${queue.name} task queue`,
      todo:
        `Nothing to do: desktop_settings/management/commands/${queue.worker}.py runs its tasks, declared to the shell as desktop_worker_command in desktop_settings/apps.py, ` +
        `so the shell starts it after Django answers and it ends within 2 s of the shell's death; ${queue.name === "huey" ? "huey's SQLite storage is in the app-data folder (huey.sqlite3)" : "its ORM broker keeps the tasks in the app's own SQLite database"} (desktop_settings/writable.py). ` +
        "Tasks enqueued from a page run in that worker, in development and in the packaged app.",
    };
  }
  return {
    topic: "workers",
    where: queue.where,
    found: `the ${queue.name} task queue, which needs a broker server (Redis, RabbitMQ)`,
    todo:
      "A desktop app has no broker server. Move the tasks to huey with its SQLite storage, django-q2 with its ORM broker, or Django's Tasks framework with a database backend " +
      "(django-tasks-db, as the starter's own demo does), then run the wrap again for a worker command; or run the work in a management command of your own, declared as " +
      "desktop_worker_command on an AppConfig and calling desktop_runtime.lifetime.exit_when_stdin_closes() first. Small jobs can also run in the request.",
  };
}

/** True when `dir` is a folder (used for the refusal checks). */
export function isFolder(dir: string): boolean {
  return existsSync(dir) && statSync(dir).isDirectory();
}
