/**
 * `npm run wrap` and `npm run check` on a project that is not our demo: the
 * outside-project fixture (a library catalog with a single settings.py,
 * WhiteNoise, login-gated pages, Bootstrap from a CDN). This runs the commands
 * SKILL.md gives an agent, in its order: the dry run, the wrap, the decisions
 * WRAP.md lists (vendoring the CDN files), the project's own tests on the
 * desktop settings, the manage.py change WRAP.md offers (the dev loop then
 * survives a typo in a model), then the contract check in development and
 * against a staged bundle, where every check must hold. The same wrapped
 * project then runs on Django 5.2 LTS, the oldest Django the wrap supports:
 * Django's system checks, its own tests and every check of the contract.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatResult, runContractChecks, summary } from "../final/scripts/contractChecks.ts";
import { buildLocalRuntimeArchive, buildWheelhouse, localRuntimeUnavailable } from "../final/scripts/localRuntime.ts";
import { startBackend, type ServingInfo } from "../final/src/backend.ts";
import { findFreePort } from "../final/src/port.ts";
import { repoRoot } from "../scripts/chapters.ts";
import { django52Venv, venvBin } from "../scripts/python-env.ts";

const fixture = path.join(repoRoot, "tests", "fixtures", "outside-project");
const work = mkdtempSync(path.join(tmpdir(), "dds-wrap-"));
const target = path.join(work, "library-catalog");
const desktop = path.join(target, "desktop");
const npmCli = process.env.npm_execpath && /\.c?js$/.test(process.env.npm_execpath) ? [process.execPath, process.env.npm_execpath] : ["npm"];
const TEN_MINUTES = 600_000;

function run(command: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const [program, ...args] = command;
  return spawnSync(program!, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
}

/** `npm run <script> -- <args>` typed in `cwd`. */
function npmRun(cwd: string, script: string, args: string[] = []): SpawnSyncReturns<string> {
  return run([...npmCli, "run", "--silent", script, ...(args.length ? ["--", ...args] : [])], cwd, { INIT_CWD: cwd });
}

const git = (cwd: string, ...args: string[]) => run(["git", "-c", "user.email=wrap@example.com", "-c", "user.name=wrap test", ...args], cwd);

/** A fresh git checkout of the fixture, as a project on someone's disk, with the usual build/ ignore rule. */
function checkout(folder: string): string {
  cpSync(fixture, folder, { recursive: true });
  writeFileSync(path.join(folder, ".gitignore"), "build/\n*.sqlite3\n__pycache__/\n.venv/\nmedia/\n.env\n");
  git(folder, "init", "-q");
  git(folder, "add", "-A");
  git(folder, "commit", "-qm", "the project as it was");
  return folder;
}

/** Every file below `dir` (without node_modules, .git, .venv) with its SHA-256. */
function snapshot(dir: string, prefix = ""): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    if ([".git", "node_modules", ".venv", "__pycache__", ".dev-data"].includes(name)) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) Object.assign(files, snapshot(full, `${prefix}${name}/`));
    else files[`${prefix}${name}`] = createHash("sha256").update(readFileSync(full)).digest("hex");
  }
  return files;
}

/** The interpreter django/.venv was made from: the Python that `npm run setup:python` chose. */
function basePython(): string {
  return run([venvBin("python"), "-c", "import sys; print(sys._base_executable)"], repoRoot).stdout.trim();
}

/** manage.py with the change WRAP.md shows as a diff applied: its " " and "-" lines become its " " and "+" lines. */
function withManagePyChange(managePy: string, wrapReport: string): string {
  const diff = /```diff\n([\s\S]*?)\n```/.exec(wrapReport)?.[1];
  if (!diff) throw new Error("WRAP.md shows no diff for manage.py");
  const lines = diff.split("\n");
  const before = lines.filter((line) => !line.startsWith("+")).map((line) => line.slice(1)).join("\n");
  const after = lines.filter((line) => !line.startsWith("-")).map((line) => line.slice(1)).join("\n");
  if (!managePy.includes(before)) throw new Error(`WRAP.md's diff does not apply to manage.py:\n${diff}`);
  return managePy.replace(before, after);
}

beforeAll(() => {
  checkout(target);
});
afterAll(() => rmSync(work, { recursive: true, force: true }), TEN_MINUTES);

describe("npm run wrap", () => {
  it("prints its options with --help", () => {
    const help = npmRun(repoRoot, "wrap", ["--help"]);
    expect(help.status).toBe(0);
    for (const option of ["--dry-run", "--force", "--name", "--settings", "--keep"]) expect(help.stdout).toContain(option);
  });

  it("refuses, in one paragraph, a folder without manage.py", () => {
    const refused = npmRun(repoRoot, "wrap", [path.join(target, "catalog")]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/has no manage\.py, so it is not the top of a Django project/);
    expect(refused.stderr).not.toMatch(/^\s+at /m);
  });

  it("--dry-run prints what it found and the plan, and changes nothing", () => {
    const dry = npmRun(repoRoot, "wrap", [target, "--dry-run"]);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain("settings: librarysite.settings (single file, librarysite/settings.py)");
    expect(dry.stdout).toMatch(/pages behind a login: yes/);
    expect(dry.stdout).toMatch(/\[cdn\] templates\/base\.html:\d+: an asset loaded from another host: https:\/\/cdn\.jsdelivr\.net\/npm\/bootstrap/);
    expect(dry.stdout).toContain(path.join(target, "desktop_settings", "packaged.py"));
    expect(git(target, "status", "--porcelain").stdout).toBe("");
  });

  it("refuses a checkout with uncommitted changes, unless --force", () => {
    writeFileSync(path.join(target, "notes.txt"), "work in progress\n");
    const refused = npmRun(repoRoot, "wrap", [target]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/has uncommitted changes:\n\?\? notes\.txt\nCommit or stash them first/);
    expect(existsSync(desktop)).toBe(false);
    rmSync(path.join(target, "notes.txt"));
  });

  it("refuses a desktop/ folder it did not write", () => {
    const other = checkout(path.join(work, "has-desktop"));
    mkdirSync(path.join(other, "desktop"));
    writeFileSync(path.join(other, "desktop", "notes.md"), "someone else's\n");
    const refused = npmRun(repoRoot, "wrap", [other, "--force"]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/desktop already exists and was not written by npm run wrap/);
  });

  it("wraps without touching the project's files, and a second run changes nothing", () => {
    const before = snapshot(target);
    const wrapped = npmRun(repoRoot, "wrap", [target]);
    expect(wrapped.stderr).toBe("");
    expect(wrapped.status).toBe(0);
    const after = snapshot(target);
    for (const [file, digest] of Object.entries(before)) {
      if (file !== ".gitignore") expect(after[file], file).toBe(digest);
    }
    for (const file of ["desktop_runtime/middleware.py", "desktop_settings/dev.py", "desktop_settings/packaged.py", "desktop/src/project.ts", "desktop/WRAP.md", ".github/workflows/desktop-package.yml"]) {
      expect(after[file], file).toBeDefined();
    }
    expect(Object.keys(after).some((file) => file.startsWith("desktop_runtime/tests/"))).toBe(false);
    expect(Object.keys(after).some((file) => file.startsWith("desktop/test/demo/"))).toBe(false);
    expect(readFileSync(path.join(desktop, "src", "project.ts"), "utf8")).toContain('productName: "Library Catalog"');
    // The project's build/ rule must not swallow desktop/build/ (icons and entitlements, committed).
    expect(git(target, "check-ignore", "-q", "desktop/build/icons/icon.ico").status).toBe(1);
    expect(git(target, "check-ignore", "-q", "desktop/dist/main.js").status).toBe(0);

    git(target, "add", "-A");
    git(target, "commit", "-qm", "wrapped");
    const again = npmRun(repoRoot, "wrap", [target]);
    expect(again.status).toBe(0);
    expect(snapshot(target)).toEqual(after);
    expect(git(target, "status", "--porcelain").stdout).toBe("");
  });

  it("WRAP.md lists each decision with its file and line", () => {
    const report = readFileSync(path.join(desktop, "WRAP.md"), "utf8");
    expect(report).toMatch(/- \[ \] `templates\/base\.html:\d+`: an asset loaded from another host/);
    expect(report).toMatch(/DesktopAutoLoginMiddleware/);
    expect(report).toMatch(/`librarysite\/settings\.py`: MEDIA_ROOT = BASE_DIR \/ "media"/);
    expect(report).toContain("tested on Django 5.2 LTS to 6.1;");
  });

  it("WRAP.md offers the manage.py change that brings the starter's dev loop and early stdin watch, as a diff of the project's own file", () => {
    const report = readFileSync(path.join(desktop, "WRAP.md"), "utf8");
    expect(report).toContain("## Optional: a five-line change to your manage.py");
    expect(report).toContain('```diff\n     os.environ.setdefault("DJANGO_SETTINGS_MODULE", "librarysite.settings")\n');
    const changed = withManagePyChange(readFileSync(path.join(target, "manage.py"), "utf8"), report);
    expect(changed).toContain("    watch_stdin_before_django_loads(sys.argv)\n");
    expect(changed).toContain("    pause_gc_until_serving(sys.argv)\n");
    expect(changed).toContain("    from desktop_runtime.devloop import execute_from_command_line\n");
    expect(changed).not.toContain("django.core.management");
  });
});

describe("the wrapped project", () => {
  const env = { DJANGO_SETTINGS_MODULE: "desktop_settings.dev" };
  const testEnv = { DJANGO_SETTINGS_MODULE: "desktop_settings.test" };
  const python = () => path.join(target, ".venv", process.platform === "win32" ? "Scripts/python.exe" : "bin/python");

  beforeAll(() => {
    // What the project's developer already has: its virtualenv with its requirements.
    const created = run([basePython(), "-m", "venv", path.join(target, ".venv")], target);
    expect(created.status, created.stderr).toBe(0);
    const installed = run([python(), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", "requirements.txt"], target);
    expect(installed.status, installed.stderr).toBe(0);
  }, TEN_MINUTES);

  it("vendors the CDN files as SKILL.md says: the jsDelivr /npm/ URL is an npm package", () => {
    const base = path.join(target, "templates", "base.html");
    let html = readFileSync(base, "utf8");
    const urls = [...html.matchAll(/https:\/\/cdn\.jsdelivr\.net\/npm\/([^@/]+)@([\d.]+)\/([^"']+)/g)];
    expect(urls.length).toBe(2);
    const unpacked = path.join(work, "vendor");
    mkdirSync(unpacked, { recursive: true });
    for (const [url, name, version, file] of urls) {
      const packed = run([...npmCli, "pack", `${name}@${version}`, "--silent"], unpacked);
      expect(packed.status, packed.stderr).toBe(0);
      run(["tar", "-xzf", packed.stdout.trim().split("\n").pop()!, "-C", unpacked], unpacked);
      const destination = path.join(target, "static", "vendor", name!, file!);
      mkdirSync(path.dirname(destination), { recursive: true });
      cpSync(path.join(unpacked, "package", file!), destination);
      html = html.replace(url!, `{% static 'vendor/${name}/${file}' %}`);
    }
    if (!html.includes("{% load static %}")) html = `{% load static %}\n${html}`;
    writeFileSync(base, html);
    expect(html).not.toMatch(/cdn\.jsdelivr/);
  }, TEN_MINUTES);

  it("passes its own tests with the desktop test settings", () => {
    const desktopRequirements = run([python(), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", "desktop/requirements-desktop.txt"], target);
    expect(desktopRequirements.status, desktopRequirements.stderr).toBe(0);
    const tests = run([python(), "manage.py", "test", "--noinput"], target, testEnv);
    expect(tests.status, `${tests.stdout}${tests.stderr}`).toBe(0);
    expect(tests.stderr).toMatch(/^OK$/m);
  }, TEN_MINUTES);

  it("on Django 5.2 LTS too: Django's checks, the project's tests and every contract check hold", async () => {
    // The virtualenv desktop_runtime's own 5.2 tests use (requirements-django52.txt): Django 5.2
    // with the WhiteNoise and waitress the desktop requirements pin, all a 5.2 project would install.
    const python52 = django52Venv(() => undefined);
    expect(run([python52, "-c", "import django; print(django.get_version())"], target).stdout).toMatch(/^5\.2\.\d+$/m);
    const checked = run([python52, "manage.py", "check", "--fail-level", "WARNING"], target, env);
    expect(checked.status, `${checked.stdout}${checked.stderr}`).toBe(0);
    const tests = run([python52, "manage.py", "test", "--noinput"], target, env);
    expect(tests.status, `${tests.stdout}${tests.stderr}`).toBe(0);
    // The contract from outside, through the shell's own supervisor, as `npm run check` in desktop/ asks it.
    const results = await runContractChecks({
      root: {
        layout: "development",
        python: python52,
        managePy: path.join(target, "manage.py"),
        djangoDir: target,
        settingsModule: env.DJANGO_SETTINGS_MODULE,
        splashFile: path.join(target, "desktop_runtime", "templates", "desktop_runtime", "splash.html"),
      },
      appDataDir: mkdtempSync(path.join(work, "app-data-52-")),
    });
    expect(results.filter((result) => !result.ok).map(formatResult)).toEqual([]);
    expect(results.length).toBeGreaterThan(10);
    expect(summary(results)).toBe(`${results.length} of ${results.length} checks held`);
  }, TEN_MINUTES);

  it("on Django 5.2 LTS, with the packaged settings (DEBUG off, WhiteNoise): every contract check holds, nothing written in the bundle", async () => {
    const python52 = django52Venv(() => undefined);
    // What the stage does before it bundles: collect (hash, compress) the static files into the bundle.
    const bundleDir = mkdtempSync(path.join(work, "bundle-52-"));
    const appDataDir = mkdtempSync(path.join(work, "app-data-52-packaged-"));
    const packaged = { DJANGO_SETTINGS_MODULE: "desktop_settings.packaged", DESKTOP_DJANGO_BUNDLE_DIR: bundleDir, DESKTOP_DJANGO_APP_DATA_DIR: appDataDir };
    const collected = run([python52, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], target, packaged);
    expect(collected.status, `${collected.stdout}${collected.stderr}`).toBe(0);
    expect(readdirSync(path.join(bundleDir, "static"))).toContain("vendor");
    const results = await runContractChecks({
      root: {
        layout: "staged",
        python: python52,
        managePy: path.join(target, "manage.py"),
        djangoDir: target,
        settingsModule: packaged.DJANGO_SETTINGS_MODULE,
        splashFile: path.join(target, "desktop_runtime", "templates", "desktop_runtime", "splash.html"),
        bundleDir,
      },
      appDataDir,
    });
    expect(results.filter((result) => !result.ok).map(formatResult)).toEqual([]);
    expect(results.map((result) => result.title)).toContainEqual(expect.stringContaining("with DEBUG off"));
    expect(results.at(-1)!.title).toMatch(/^nothing was written inside the bundle/);
  }, TEN_MINUTES);

  it("with WRAP.md's manage.py change, desktop_serve --reload survives a typo in a model; without it the dev loop ends", async () => {
    const report = readFileSync(path.join(desktop, "WRAP.md"), "utf8");
    /** A copy of the project, as its developer edits it, started the way `npm run dev` starts Django. */
    const devLoop = async (folder: string, changeManagePy: boolean) => {
      cpSync(target, folder, { recursive: true, filter: (source) => !/[\\/](\.venv|\.git|desktop|\.dev-data|__pycache__)$/.test(source) });
      const managePy = path.join(folder, "manage.py");
      if (changeManagePy) writeFileSync(managePy, withManagePyChange(readFileSync(managePy, "utf8"), report));
      const lines: string[] = [];
      const starts: (ServingInfo & { error?: string })[] = [];
      let onStart: (() => void) | undefined;
      const backend = startBackend({
        python: python(),
        managePy,
        port: await findFreePort(),
        env: { ...env, DESKTOP_DJANGO_APP_DATA_DIR: path.join(folder, ".dev-data") },
        args: ["--reload"],
        onLine: (line) => lines.push(line),
        onServing: (info) => {
          starts.push(info);
          onStart?.();
        },
      });
      const nextStart = () =>
        Promise.race([
          new Promise<"served">((resolve) => (onStart = () => resolve("served"))),
          backend.exited.then((code) => `exited with code ${code}` as const),
          new Promise<"timed out">((resolve) => setTimeout(() => resolve("timed out"), 60_000)),
        ]);
      return { backend, lines, starts, nextStart, models: path.join(folder, "catalog", "models.py") };
    };
    /** Saves the typo again until Django reacts: its reloader may miss a save made just after it started. */
    const saveUntil = async (file: string, content: string, reacted: Promise<string>) => {
      const save = () => writeFileSync(file, content);
      save();
      const saving = setInterval(save, 1500);
      return reacted.finally(() => clearInterval(saving));
    };
    const typo = "\nclass Broken(models.Model):\n    name = models.CharFeld(max_length=10)\n";

    const changed = await devLoop(path.join(work, "dev-loop-changed"), true);
    try {
      expect(await changed.nextStart(), changed.lines.join("\n")).toBe("served");
      const working = readFileSync(changed.models, "utf8");
      expect(await saveUntil(changed.models, `${working}${typo}`, changed.nextStart()), changed.lines.join("\n")).toBe("served");
      expect(changed.starts[1]!.error).toMatch(/AttributeError: .*CharFeld/);
      expect((await fetch(new URL("health/", changed.backend.url))).status).toBe(503);
      expect(await saveUntil(changed.models, working, changed.nextStart()), changed.lines.join("\n")).toBe("served");
      expect(changed.starts[2]!.error).toBeUndefined();
      expect((await fetch(new URL("health/", changed.backend.url))).status).toBe(200);
    } finally {
      await changed.backend.stop();
    }

    const unchanged = await devLoop(path.join(work, "dev-loop-unchanged"), false);
    try {
      expect(await unchanged.nextStart(), unchanged.lines.join("\n")).toBe("served");
      const working = readFileSync(unchanged.models, "utf8");
      expect(await saveUntil(unchanged.models, `${working}${typo}`, unchanged.nextStart())).toMatch(/^exited with code [1-9]/);
      expect(unchanged.lines.join("\n")).toMatch(/AttributeError: .*CharFeld/);
    } finally {
      await unchanged.backend.stop();
    }
  }, TEN_MINUTES);

  it("npm install in desktop/ installs the shell as a package of its own", () => {
    const installed = run([...npmCli, "install", "--no-audit", "--no-fund", "--prefer-offline"], desktop, { ELECTRON_SKIP_BINARY_DOWNLOAD: "1" });
    expect(installed.status, installed.stderr).toBe(0);
    expect(existsSync(path.join(desktop, "package-lock.json"))).toBe(true);
    expect(existsSync(path.join(desktop, "node_modules", "tsx"))).toBe(true);
  }, TEN_MINUTES);

  it("npm run icons renders the project's own art into build/icons/", () => {
    // SKILL.md: put your square SVG at desktop/assets/icon.svg, then (after npm install) run npm run icons.
    const art = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#2a6f4e"/></svg>\n';
    writeFileSync(path.join(desktop, "assets", "icon.svg"), art);
    const icons = npmRun(desktop, "icons");
    expect(icons.status, `${icons.stdout}${icons.stderr}`).toBe(0);
    const record = JSON.parse(readFileSync(path.join(desktop, "build", "icons", "icons.json"), "utf8")) as { sha256?: string };
    expect(record.sha256).toBe(createHash("sha256").update(art).digest("hex"));
  }, TEN_MINUTES);

  it("npm run check: every check of the runtime contract holds in development", () => {
    const help = npmRun(desktop, "check", ["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--staged");
    const check = npmRun(desktop, "check");
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    const [, held, total] = /(\d+) of (\d+) checks held/.exec(check.stdout) ?? [];
    expect(Number(held)).toBeGreaterThan(10);
    expect(held).toBe(total);
  }, TEN_MINUTES);

  it("the shell's own test suite, copied without the demo's tests, passes in the wrapped project", () => {
    const suite = run([...npmCli, "test"], desktop, { ELECTRON_SKIP_BINARY_DOWNLOAD: "1" });
    expect(suite.status, `${suite.stdout.slice(-6000)}${suite.stderr.slice(-3000)}`).toBe(0);
    const summary = stripVTControlCharacters(suite.stdout);
    expect(summary).toMatch(/Tests\s+\d+ passed/);
    expect(summary).not.toMatch(/\d+ failed/);
  }, TEN_MINUTES);

  it.skipIf(localRuntimeUnavailable())("npm run check -- --staged: every check holds against the staged bundle, which carries none of the developer's secrets or data", async () => {
    // What a developer's checkout holds beside the code, git-ignored: the real secret key, uploads, a database.
    writeFileSync(path.join(target, ".env"), "DJANGO_SECRET_KEY=the-developers-real-secret\n");
    mkdirSync(path.join(target, "media", "covers"), { recursive: true });
    writeFileSync(path.join(target, "media", "covers", "dune.jpg"), "a personal upload");
    writeFileSync(path.join(target, "db.sqlite3"), "SQLite format 3\0");
    const cacheDir = path.join(repoRoot, ".stage", "cache");
    const archive = await buildLocalRuntimeArchive(cacheDir, () => undefined);
    const wheelhouse = buildWheelhouse(cacheDir, path.join(desktop, "requirements-desktop.txt"), python(), () => undefined);
    const staged = npmRun(desktop, "stage", ["--python-archive", archive.file, "--wheelhouse", wheelhouse]);
    expect(staged.status, `${staged.stdout}${staged.stderr}`).toBe(0);
    const leftOut = staged.stdout.split("\n").find((line) => line.startsWith("Left out of the bundle as secrets or local data: "));
    for (const name of [".env", "db.sqlite3", "media/"]) expect(leftOut?.split(": ")[1]?.split(", "), staged.stdout).toContain(name);
    const bundled = path.join(desktop, ".stage", "backend", "django");
    expect(existsSync(path.join(bundled, "manage.py"))).toBe(true);
    for (const name of [".env", "db.sqlite3", "media"]) expect(existsSync(path.join(bundled, name)), name).toBe(false);
    const check = npmRun(desktop, "check", ["--staged"]);
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    const [, held, total] = /(\d+) of (\d+) checks held/.exec(check.stdout) ?? [];
    expect(held).toBe(total);
  }, TEN_MINUTES);
});
