/**
 * What the stage removes from a bundle before shipping it: the parts of the
 * Python runtime and of Django that a Django server never imports. Each rule
 * is a named list or pattern below, so a reader can check it, and the one rule
 * that needs care (Django's optional contrib apps) prunes only what no
 * remaining module imports.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import path from "node:path";

/** Stdlib folders nothing in a Django server imports: test suites, the IDLE editor, Tk GUIs, 2to3, pip's installer, pydoc's topics. */
const STDLIB_PRUNED = [
  // CPython's own tests, GUI and teaching tools, the 2to3 converter, and pip's bootstrap.
  ...["test", "idlelib", "tkinter", "turtledemo", "turtle.py", "lib2to3", "ensurepip"],
  // Interactive help and its topics, the pure-Python io that only CPython's tests use, doctest (imported only by other modules' self-tests), venv.
  ...["pydoc_data", "pydoc.py", "_pyio.py", "doctest.py", "venv"],
  // Terminal UIs, XML-RPC, mail-reading and old network protocols, audio file formats, CGI: nothing a desktop Django serves with.
  ...["curses", "xmlrpc", "mailbox.py", "imaplib.py", "poplib.py", "nntplib.py", "telnetlib.py", "cgi.py", "cgitb.py"],
  ...["aifc.py", "sunau.py", "sndhdr.py", "chunk.py", "wave.py", "tabnanny.py", "zipapp.py"],
];
/** Test folders nested inside stdlib packages (ctypes/test, sqlite3/test, unittest/test, idlelib/idle_test...). */
const NESTED_TEST_DIRS = new Set(["test", "tests", "idle_test"]);
/** Installers: needed while staging, never at runtime. */
const SITE_PACKAGES_PRUNED = /^(pip|setuptools|wheel|pkg_resources|_distutils_hack)(-.*\.dist-info)?$|^distutils-precedence\.pth$/;
/** Extension modules for Tk and CPython's own test suite. */
const EXTENSIONS_PRUNED = /^(_tkinter|_test|_ctypes_test|xxlimited|_xxtestfuzz|xxsubtype|_curses|audioop)|^(tcl|tk)\d+t?\.dll$/;
/** Django's database backends for servers; a project whose every database is SQLite never loads them. */
const SERVER_DB_BACKENDS = ["mysql", "oracle", "postgresql"];
/** Tools in bin/ (or Scripts/) that only a developer runs. */
const SCRIPTS_PRUNED = /^(idle3?|pydoc3?|2to3|pip3?|python3?[\d.]*-config|django-admin|sqlformat)([\d.]*)(\.exe)?$/;
/**
 * Django's optional contrib apps: candidates for removal when INSTALLED_APPS
 * does not list them. A candidate stays when any module that stays imports it
 * (django.contrib.auth.forms and .views import django.contrib.sites, whether
 * or not sites is installed).
 */
const OPTIONAL_CONTRIB_APPS = ["admin", "admindocs", "flatpages", "gis", "postgres", "redirects", "sitemaps", "sites", "syndication"];
/** What the admin brings besides its code, and what only an installed admin serves or renders. */
const ADMIN_ASSETS = ["static", "templates"];

export interface RuntimePaths {
  stdlib: string;
  purelib: string;
  platlib: string;
  scripts: string;
}

/** What the stage asked the bundled Django (see DJANGO_FACTS_SCRIPT). */
export interface DjangoFacts {
  djangoPackage: string;
  installedApps: string[];
  /** Locale folder names the project can use (from LANGUAGES and LANGUAGE_CODE), e.g. ["en", "en_US"]. */
  locales: string[];
  /** The ENGINE of every database in DATABASES. */
  databaseEngines: string[];
}

/** Printed by the bundled Python with the project's settings: where Django is, which apps are installed, which locales LANGUAGES allows. */
export const DJANGO_FACTS_SCRIPT = [
  "import json, os, django",
  "django.setup()",
  "from django.apps import apps",
  "from django.conf import settings",
  "from django.utils.translation import to_locale",
  "codes = {code for code, _ in settings.LANGUAGES} | {settings.LANGUAGE_CODE}",
  "locales = sorted({name for code in codes for name in (to_locale(code), to_locale(code).split('_')[0])})",
  "engines = [database['ENGINE'] for database in settings.DATABASES.values()]",
  "print(json.dumps({'djangoPackage': os.path.dirname(django.__file__), 'installedApps': [c.name for c in apps.get_app_configs()], 'locales': locales, 'databaseEngines': engines}))",
].join("\n");

export interface PruneReport {
  /** Optional contrib apps removed because nothing installed or imported needs them. */
  removedApps: string[];
  /** Optional contrib apps kept although not installed, each with a module that imports it. */
  keptApps: Array<{ app: string; importedBy: string }>;
  /** Locale folders removed (outside LANGUAGES). */
  removedLocales: number;
  /** Django's server database backends removed, because every database is SQLite. */
  removedBackends: string[];
}

/** True when `dir` exists below `parent`, comparing real paths (macOS's /var is /private/var). */
export function isInside(dir: string | undefined, parent: string): dir is string {
  if (!dir || !existsSync(dir)) return false;
  return realpathSync.native(dir).startsWith(realpathSync.native(parent) + path.sep);
}

function removeMatching(dir: string, test: (name: string, isDirectory: boolean) => boolean): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (test(entry.name, entry.isDirectory())) rmSync(path.join(dir, entry.name), { recursive: true, force: true });
  }
}

function removeEverywhere(dir: string, test: (name: string, isDirectory: boolean) => boolean): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (test(entry.name, entry.isDirectory())) rmSync(full, { recursive: true, force: true });
    else if (entry.isDirectory()) removeEverywhere(full, test);
  }
}

function filesBelow(dir: string, test: (name: string) => boolean, found: string[] = []): string[] {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) filesBelow(full, test, found);
    else if (test(entry.name)) found.push(full);
  }
  return found;
}

/** The interpreter's own leftovers: the stdlib's tests and GUI tools, installers, developer scripts, headers and static libraries. */
export function pruneRuntime(bundleDir: string, runtime: RuntimePaths): void {
  const pythonDir = path.join(bundleDir, "python");
  const stdlib = runtime.stdlib;
  if (isInside(stdlib, pythonDir)) {
    removeMatching(stdlib, (name) => STDLIB_PRUNED.includes(name) || name.startsWith("config-"));
    for (const entry of readdirSync(stdlib, { withFileTypes: true })) {
      if (entry.isDirectory() && !/^(site|dist)-packages$/.test(entry.name)) {
        removeEverywhere(path.join(stdlib, entry.name), (name, isDirectory) => isDirectory && NESTED_TEST_DIRS.has(name));
      }
    }
    removeMatching(path.join(stdlib, "lib-dynload"), (name) => EXTENSIONS_PRUNED.test(name));
  }
  for (const sitePackages of new Set([runtime.purelib, runtime.platlib])) {
    if (isInside(sitePackages, pythonDir)) removeMatching(sitePackages, (name) => SITE_PACKAGES_PRUNED.test(name));
  }
  for (const scripts of new Set([runtime.scripts, path.join(pythonDir, "bin"), path.join(pythonDir, "Scripts")])) {
    if (isInside(scripts, pythonDir)) removeMatching(scripts, (name) => SCRIPTS_PRUNED.test(name));
  }
  // Headers, static and import libraries, man pages, Tcl/Tk script libraries: for building and GUIs, not for serving.
  for (const dir of ["include", "share", "libs", "tcl", path.join("lib", "pkgconfig")]) rmSync(path.join(pythonDir, dir), { recursive: true, force: true });
  removeMatching(path.join(pythonDir, "lib"), (name) => /^(lib)?(tcl|tk|itcl|thread)\d/.test(name) || /\.(a|lib)$/.test(name));
  removeMatching(path.join(pythonDir, "DLLs"), (name) => EXTENSIONS_PRUNED.test(name));
}

/** `import django.contrib.X`, `from django.contrib.X... import`, `from django.contrib import X, Y` (parenthesised too). */
const CONTRIB_IMPORT = /^[ \t]*(?:from[ \t]+django\.contrib\.(\w+)|import[ \t]+django\.contrib\.(\w+)|from[ \t]+django\.contrib[ \t]+import[ \t]+(\([^)]*\)|[^\n#]*))/gm;

/** The django.contrib apps a Python source file imports. */
export function contribImports(source: string): Set<string> {
  const apps = new Set<string>();
  for (const [, fromModule, importModule, names] of source.matchAll(CONTRIB_IMPORT)) {
    if (fromModule ?? importModule) apps.add((fromModule ?? importModule)!);
    for (const name of names?.replace(/[()\\]/g, " ").split(",") ?? []) {
      const app = /^\s*(\w+)/.exec(name)?.[1];
      if (app) apps.add(app);
    }
  }
  return apps;
}

/**
 * The optional contrib apps that can go: not installed, and imported by no
 * module that stays. Removing one app can free another (admindocs imports
 * admin), so the set shrinks until no kept module imports a removed app.
 *
 * `admin.py` modules do not count as importers while the admin is not
 * installed: only the admin's autodiscovery loads them.
 */
export function removableContribApps(sourceRoots: string[], djangoPackage: string, installedApps: string[]): { removable: string[]; kept: PruneReport["keptApps"] } {
  const contribDir = path.join(djangoPackage, "contrib");
  const candidates = OPTIONAL_CONTRIB_APPS.filter((app) => !installedApps.includes(`django.contrib.${app}`) && existsSync(path.join(contribDir, app)));
  const adminInstalled = installedApps.includes("django.contrib.admin");
  const importers = new Map<string, string[]>();
  for (const root of sourceRoots) {
    for (const file of filesBelow(root, (name) => name.endsWith(".py"))) {
      if (!adminInstalled && path.basename(file) === "admin.py") continue;
      for (const app of contribImports(readFileSync(file, "utf8"))) {
        if (candidates.includes(app)) importers.set(file, [...(importers.get(file) ?? []), app]);
      }
    }
  }
  const appOf = (file: string) => candidates.find((app) => file.startsWith(path.join(contribDir, app) + path.sep));
  const removable = new Set(candidates);
  const kept: PruneReport["keptApps"] = [];
  for (let changed = true; changed; ) {
    changed = false;
    for (const [file, apps] of importers) {
      const owner = appOf(file);
      if (owner && removable.has(owner)) continue;
      for (const app of apps) {
        if (app !== owner && removable.delete(app)) {
          kept.push({ app, importedBy: file });
          changed = true;
        }
      }
    }
  }
  return { removable: candidates.filter((app) => removable.has(app)), kept };
}

/** Locale folders (`<package>/**\/locale/<name>/`) whose name LANGUAGES does not allow. */
function pruneLocales(root: string, keep: Set<string>): number {
  let removed = 0;
  for (const localeDir of directoriesNamed(root, "locale")) {
    for (const entry of readdirSync(localeDir, { withFileTypes: true })) {
      const full = path.join(localeDir, entry.name);
      const isLocale = entry.isDirectory() && (existsSync(path.join(full, "LC_MESSAGES")) || existsSync(path.join(full, "formats.py")));
      if (isLocale && !keep.has(entry.name)) {
        rmSync(full, { recursive: true, force: true });
        removed += 1;
      }
    }
  }
  return removed;
}

function directoriesNamed(dir: string, name: string, found: string[] = []): string[] {
  if (!existsSync(dir)) return found;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const full = path.join(dir, entry.name);
    if (entry.name === name) found.push(full);
    else directoriesNamed(full, name, found);
  }
  return found;
}

/**
 * Django's share of the bundle: optional contrib apps nothing uses, the
 * admin's assets when the admin is not installed, translations outside
 * LANGUAGES, and the MySQL, Oracle and PostgreSQL backends when every
 * database is SQLite (Django imports a backend only for a database that
 * names it; the one import of another backend's module, in
 * db/models/functions/mixins.py, runs only on Oracle). `sourceRoots` are the folders whose modules stay: site-packages
 * and the project.
 */
export function pruneDjango(django: DjangoFacts, sourceRoots: string[]): PruneReport {
  const contribDir = path.join(django.djangoPackage, "contrib");
  const { removable, kept } = removableContribApps(sourceRoots, django.djangoPackage, django.installedApps);
  for (const app of removable) rmSync(path.join(contribDir, app), { recursive: true, force: true });
  if (!django.installedApps.includes("django.contrib.admin")) {
    for (const assets of ADMIN_ASSETS) rmSync(path.join(contribDir, "admin", assets), { recursive: true, force: true });
  }
  const keep = new Set(django.locales);
  const removedLocales = sourceRoots.reduce((total, root) => total + pruneLocales(root, keep), 0);
  const removedBackends = django.databaseEngines.every((engine) => engine === "django.db.backends.sqlite3") ? SERVER_DB_BACKENDS : [];
  for (const backend of removedBackends) rmSync(path.join(django.djangoPackage, "db", "backends", backend), { recursive: true, force: true });
  return { removedApps: removable, keptApps: kept, removedLocales, removedBackends };
}

/**
 * Bytecode caches from the archive or from other interpreters, and translation
 * sources: the stage compiles bytecode afresh for the bundled interpreter, and
 * Django reads the compiled .mo files, never the .po sources.
 */
export function removeCachesAndSources(bundleDir: string): void {
  removeEverywhere(bundleDir, (name, isDirectory) => (!isDirectory && name.endsWith(".po")) || (isDirectory && name === "__pycache__"));
}
