import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import type { BundleManifest } from "../src/backendRoot";
import { bundleDigest, directorySize, largestPackages } from "../scripts/bundle";
import { PYTHON_RELEASE, releaseAsset } from "../scripts/pythonRelease";
import { ChecksumMismatchError } from "../scripts/runtimeArchive";
import { copyDjangoProject, djangoProjectDigest, isolatedPythonEnv, PACKAGED_SETTINGS, stageBackend } from "../scripts/stageBackend";
import { findRepoRoot } from "../src/paths";
import { tempDir } from "./helpers";

const staged = inject("stagedBundle");
const repoRoot = findRepoRoot(__dirname);

/** A copy of the local runtime archive with one byte flipped in the middle. */
function tamperedArchive(): string {
  const copy = path.join(tempDir(), path.basename(staged.archive!));
  copyFileSync(staged.archive!, copy);
  const bytes = readFileSync(copy);
  bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
  writeFileSync(copy, bytes);
  return copy;
}

/** A folder holding a previous, good bundle, to check a failed stage leaves it alone. */
function previousBundle(): { bundleDir: string; parent: string } {
  const parent = tempDir();
  const bundleDir = path.join(parent, "backend");
  mkdirSync(bundleDir);
  writeFileSync(path.join(bundleDir, "manifest.json"), "{}");
  return { bundleDir, parent };
}

/** The section names of a 64-bit little-endian ELF file (Linux's shared libraries and executables). */
function elfSectionNames(file: string): string[] {
  const elf = readFileSync(file);
  const [sectionHeaders, entrySize, count, namesIndex] = [Number(elf.readBigUInt64LE(0x28)), elf.readUInt16LE(0x3a), elf.readUInt16LE(0x3c), elf.readUInt16LE(0x3e)];
  const namesOffset = Number(elf.readBigUInt64LE(sectionHeaders + namesIndex * entrySize + 0x18));
  return Array.from({ length: count }, (_, index) => {
    const start = namesOffset + elf.readUInt32LE(sectionHeaders + index * entrySize);
    return elf.toString("latin1", start, elf.indexOf(0, start));
  });
}

/**
 * A Django project as a developer has it: code, a .gitignore that names the
 * uploads, collected static files and logs, and local files beside the code:
 * a .env holding the real secret key, uploads, a database, a log.
 */
function projectWithLocalData(git: boolean, dir = tempDir()): string {
  const files: Record<string, string> = {
    "manage.py": "import os, sys\n",
    "mysite/__init__.py": "",
    "mysite/settings.py": 'import environ\nenviron.Env.read_env(".env")\n',
    "mysite/not_yet_committed.py": "READY = True\n",
    ".gitignore": "media/\n/staticfiles/\n*.log\n",
    ".env": "SECRET_KEY=the-developers-real-secret\n",
    ".env.production": "SECRET_KEY=the-production-secret\n",
    "db.sqlite3": "SQLite format 3\0",
    "media/avatars/ada.png": "personal upload",
    "staticfiles/app.css": "body {}",
    "debug.log": "a request from the developer",
  };
  for (const [relative, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    writeFileSync(path.join(dir, relative), content);
  }
  if (git) {
    for (const args of [["init", "-q"], ["add", "manage.py", "mysite/__init__.py", "mysite/settings.py", ".gitignore"]]) {
      const result = spawnSync("git", ["-C", dir, ...args], { encoding: "utf8" });
      expect(result.status, result.stderr).toBe(0);
    }
  }
  return dir;
}

/** Every file below dir, relative and sorted. */
function filesBelow(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
    .sort();
}

describe("copying the Django project into the bundle", () => {
  const hasGit = spawnSync("git", ["--version"]).status === 0;

  it.runIf(hasGit)("ships what git tracks, leaves out the developer's secrets and data and what git does not track, and names them", () => {
    const project = projectWithLocalData(true);
    const destination = path.join(tempDir(), "django");
    const leftOut = copyDjangoProject(project, destination);
    expect(filesBelow(destination)).toEqual([".gitignore", "manage.py", "mysite/__init__.py", "mysite/settings.py"]);
    expect(leftOut).toEqual({ git: true, local: [".env", ".env.production", "db.sqlite3", "media/"], untracked: ["debug.log", "mysite/not_yet_committed.py", "staticfiles/"] });
  });

  it("leaves out local data by name in a project that is no git checkout", () => {
    const project = projectWithLocalData(false);
    const destination = path.join(tempDir(), "django");
    expect(copyDjangoProject(project, destination)).toEqual({ git: false, local: [".env", ".env.production", "db.sqlite3", "media/"], untracked: [] });
    expect(filesBelow(destination)).not.toContain(".env");
    expect(filesBelow(destination)).toContain("mysite/settings.py");
  });

  it.runIf(hasGit)("leaves out local data by name when an enclosing checkout ignores the whole project", () => {
    const outer = tempDir();
    writeFileSync(path.join(outer, ".gitignore"), "catalog/\n");
    expect(spawnSync("git", ["-C", outer, "init", "-q"]).status).toBe(0);
    const destination = path.join(tempDir(), "django");
    expect(copyDjangoProject(projectWithLocalData(false, path.join(outer, "catalog")), destination)).toEqual({ git: false, local: [".env", ".env.production", "db.sqlite3", "media/"], untracked: [] });
    expect(filesBelow(destination)).toContain("mysite/settings.py");
    expect(filesBelow(destination)).toContain("staticfiles/app.css");
  });

  it.runIf(hasGit)("leaves the same files out of the digest that tells whether a staged bundle is out of date", () => {
    const project = projectWithLocalData(true);
    const before = djangoProjectDigest(project);
    writeFileSync(path.join(project, ".env"), "SECRET_KEY=rotated\n");
    writeFileSync(path.join(project, "media", "avatars", "grace.png"), "another upload");
    expect(djangoProjectDigest(project)).toBe(before);
    writeFileSync(path.join(project, "mysite", "settings.py"), "DEBUG = False\n");
    expect(djangoProjectDigest(project)).not.toBe(before);
  });
});

describe.skipIf(!staged.bundleDir)("a bundle staged from a local archive and a wheelhouse", () => {
  const bundleDir = staged.bundleDir!;
  const manifest = () => JSON.parse(readFileSync(path.join(bundleDir, "manifest.json"), "utf8")) as BundleManifest;
  /** The standard library: python/Lib on Windows, python/lib/python3.X elsewhere. */
  const lib = () => {
    if (process.platform === "win32") return path.join(bundleDir, "python", "Lib");
    const version = manifest().pythonVersion.split(".").slice(0, 2).join(".");
    return path.join(bundleDir, "python", "lib", `python${version}`);
  };

  it("describes itself in manifest.json", () => {
    const runtime = staged.downloaded
      ? { kind: "python-build-standalone", tag: PYTHON_RELEASE.tag, asset: releaseAsset(process.platform, process.arch).name, sha256: staged.archiveSha256 }
      : { kind: "local archive", name: path.basename(staged.archive!), sha256: staged.archiveSha256 };
    expect(manifest()).toMatchObject({
      interpreter: process.platform === "win32" ? "python/python.exe" : "python/bin/python3",
      managePy: "django/manage.py",
      settingsModule: PACKAGED_SETTINGS,
      staticDir: "static",
      runtime,
      platform: process.platform,
      arch: process.arch,
    });
    expect(manifest().pythonVersion).toMatch(/^3\.\d+\.\d+$/);
    expect(existsSync(path.join(bundleDir, manifest().interpreter))).toBe(true);
  });

  it("records a digest of everything in it but the manifest", () => {
    expect(manifest().digest).toBe(bundleDigest(bundleDir, (relative) => relative === "manifest.json"));
  });

  it.skipIf(process.platform === "win32")("is readable by every user of the machine, as installed resources must be", () => {
    expect(statSync(bundleDir).mode & 0o777).toBe(0o755);
  });

  it("holds the Django code without dev data, venv or caches, and the collected static files", () => {
    expect(existsSync(path.join(bundleDir, "django", "manage.py"))).toBe(true);
    for (const excluded of [".venv", ".dev-data", "requirements-dev.txt"]) expect(existsSync(path.join(bundleDir, "django", excluded))).toBe(false);
    expect(existsSync(path.join(bundleDir, "static", "flying_stable", "flying_stable.css"))).toBe(true);
  });

  it("was pruned of test suites, GUI toolkits, installers and headers, and says by how much", () => {
    for (const pruned of ["test", "idlelib", "tkinter", "turtledemo", "ensurepip", "lib2to3", "pydoc_data", path.join("sqlite3", "test"), path.join("unittest", "test")]) {
      expect(existsSync(path.join(lib(), pruned)), pruned).toBe(false);
    }
    for (const kept of ["sqlite3", "email", "json", "zoneinfo", "unittest", "asyncio"]) expect(existsSync(path.join(lib(), kept)), kept).toBe(true);
    expect(existsSync(path.join(bundleDir, "python", "include"))).toBe(false);
    const sizeLine = staged.stageLog!.find((line) => line.startsWith("Bundle size:"));
    const [before, after] = [...sizeLine!.matchAll(/([\d.]+) MB/g)].map((match) => Number(match[1]));
    expect(after).toBeLessThan(before!);
  });

  // The local archive is built from pyenv's Python, which is compiled with -g.
  it.runIf(process.platform === "linux")("runs an interpreter without debug sections, like the release's install_only_stripped archives", () => {
    const libDir = path.join(bundleDir, "python", "lib");
    const libpython = readdirSync(libDir).find((name) => /^libpython3\.\d+\.so/.test(name));
    const dynload = path.join(lib(), "lib-dynload");
    const binaries = [path.join(libDir, libpython!), ...readdirSync(dynload).map((name) => path.join(dynload, name))];
    expect(elfSectionNames(binaries[0]!)).toContain(".dynsym");
    for (const binary of binaries) expect(elfSectionNames(binary).filter((name) => name.startsWith(".debug")), binary).toEqual([]);
  });

  /** The installed django package in the bundle, found by asking its interpreter. */
  const djangoPackage = () => {
    const python = path.join(bundleDir, manifest().interpreter);
    const result = spawnSync(python, ["-c", "import django, os; print(os.path.dirname(django.__file__))"], { env: isolatedPythonEnv(), encoding: "utf8" });
    return result.stdout.trim();
  };

  it("keeps of Django's optional apps only what something imports, and of its translations only the LANGUAGES", () => {
    const contrib = path.join(djangoPackage(), "contrib");
    for (const pruned of ["gis", "admindocs", "flatpages", "postgres", "redirects"]) {
      expect(existsSync(path.join(contrib, pruned)), pruned).toBe(false);
    }
    // Not installed either, but django-tasks-db brings django-stubs-ext, which imports them.
    for (const kept of ["admin", "sitemaps", "syndication"]) {
      expect(existsSync(path.join(contrib, kept)), kept).toBe(true);
      expect(staged.stageLog).toContainEqual(expect.stringMatching(new RegExp(`^Keeping django\\.contrib\\.${kept} although it is not installed: .*django_stubs_ext/\\w+\\.py imports it$`)));
    }
    // Not installed, but django.contrib.auth.forms and .views import it.
    expect(existsSync(path.join(contrib, "sites", "shortcuts.py"))).toBe(true);
    expect(staged.stageLog).toContainEqual(expect.stringMatching(/^Keeping django\.contrib\.sites although it is not installed: .*django\/contrib\/\w+\/\w+\.py imports it$/));
    // LANGUAGES is English only.
    expect(readdirSync(path.join(djangoPackage(), "conf", "locale")).filter((name) => name !== "__pycache__").sort()).toEqual(["__init__.py", "en"]);
    expect(readdirSync(path.join(contrib, "humanize", "locale"))).toEqual(["en"]);
  });

  it("names its 10 largest installed packages, largest first, Django at the top", () => {
    const table = staged.stageLog!.slice(staged.stageLog!.findIndex((line) => line.startsWith("Largest installed packages")));
    expect(table[0]).toMatch(/^Largest installed packages \(\d+\):$/);
    const rows = table.slice(1).filter((line) => line.startsWith("  "));
    expect(rows.length).toBeGreaterThan(2);
    expect(rows.length).toBeLessThanOrEqual(10);
    expect(rows[0]).toMatch(/^ {2}Django 6\.\d+\.\d+\s+[\d.]+ MB$/);
    const packages = largestPackages(bundleDir, 10);
    expect(packages.map((item) => item.bytes)).toEqual([...packages.map((item) => item.bytes)].sort((a, b) => b - a));
  });

  it("ends the stage with its size by part, adding up to the bundle", () => {
    const table = staged.stageLog!.slice(staged.stageLog!.indexOf("Bundle size by part:") + 1);
    const megabytes = (part: string) => {
      const match = new RegExp(`^  ${part}\\s+([\\d.]+) (MB|kB)`).exec(table.find((line) => line.startsWith(`  ${part} `)) ?? "");
      expect(match, part).not.toBeNull();
      return Number(match![1]) / (match![2] === "kB" ? 1000 : 1);
    };
    const parts = ["runtime", "stdlib", "Django", "other packages", "project", "static"].map(megabytes);
    for (const size of parts) expect(size).toBeGreaterThan(0);
    const sum = parts.reduce((total, size) => total + size, 0);
    expect(Math.abs(sum - megabytes("total"))).toBeLessThan(0.3);
    expect(Math.abs(megabytes("total") - directorySize(bundleDir) / 1e6)).toBeLessThan(0.1);
  });

  it("runs a project that uses Django's auth views, which import django.contrib.sites", () => {
    const project = tempDir();
    const files: Record<string, string> = {
      "authsite/__init__.py": "",
      "authsite/settings.py": [
        "from pathlib import Path",
        'SECRET_KEY = "stage-test"',
        'ALLOWED_HOSTS = ["testserver"]',
        'INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions", "django.contrib.messages"]',
        'MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware", "django.middleware.csrf.CsrfViewMiddleware", "django.contrib.auth.middleware.AuthenticationMiddleware"]',
        'ROOT_URLCONF = "authsite.urls"',
        'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}',
        'TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [Path(__file__).parent / "templates"], "APP_DIRS": True}]',
        'EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"',
      ].join("\n"),
      "authsite/urls.py": 'from django.urls import include, path\nurlpatterns = [path("accounts/", include("django.contrib.auth.urls"))]\n',
      "authsite/templates/registration/login.html": "<form method=post>{% csrf_token %}{{ form }}</form>",
      "authsite/templates/registration/password_reset_form.html": "<form method=post>{% csrf_token %}{{ form }}</form>",
      "authsite/templates/registration/password_reset_done.html": "sent",
      "authsite/templates/registration/password_reset_email.html": "{{ protocol }}://{{ domain }}{% url 'password_reset_confirm' uidb64=uid token=token %}",
    };
    for (const [relative, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(project, relative)), { recursive: true });
      writeFileSync(path.join(project, relative), content);
    }
    // The reset form looks up the current site (sites.shortcuts), installed or not.
    const script = [
      "import django",
      "django.setup()",
      "from django.core.management import call_command",
      'call_command("migrate", verbosity=0)',
      "from django.contrib.auth.models import User",
      'User.objects.create_user("ada", "ada@example.com", "pw")',
      "from django.core import mail",
      "from django.test import Client",
      "client = Client()",
      'print(client.get("/accounts/login/").status_code)',
      'print(client.post("/accounts/password_reset/", {"email": "ada@example.com"}).status_code)',
      "print(mail.outbox[0].body.count('testserver'))",
    ].join("\n");
    const python = path.join(bundleDir, manifest().interpreter);
    const result = spawnSync(python, ["-c", script], { cwd: project, env: isolatedPythonEnv({ DJANGO_SETTINGS_MODULE: "authsite.settings" }), encoding: "utf8" });
    expect(result.stderr).not.toMatch(/ModuleNotFoundError/);
    expect(result.status, result.stderr).toBe(0);
    const [login, reset, siteMentions] = result.stdout.trim().split("\n");
    expect(login).toBe("200");
    expect(reset).toBe("302");
    expect(Number(siteMentions)).toBeGreaterThan(0);
  });

  it("has no pip left, and no way to import it", () => {
    const python = path.join(bundleDir, manifest().interpreter);
    const result = spawnSync(python, ["-c", "import pip"], { env: isolatedPythonEnv(), encoding: "utf8" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/No module named 'pip'/);
  });

  it("ships bytecode compiled so that Python never needs to write into the bundle", () => {
    const pycache = path.join(bundleDir, "django", "example_app", "__pycache__");
    const pyc = readdirSync(pycache).find((name) => name.startsWith("models."))!;
    // PEP 552 flags: bit 0 set = hash-based, bit 1 clear = unchecked.
    expect(readFileSync(path.join(pycache, pyc)).readUInt32LE(4)).toBe(0b01);
    // Only the bundled interpreter's bytecode: no other interpreter's cache came along.
    const tag = `cpython-${manifest().pythonVersion.split(".").slice(0, 2).join("")}`;
    const foreign = (readdirSync(bundleDir, { recursive: true }) as string[]).filter((file) => file.endsWith(".pyc") && !path.basename(file).includes(`.${tag}.`));
    expect(foreign).toEqual([]);
  });
});

describe.skipIf(!staged.bundleDir)("a stage from a tampered archive", () => {
  it("stops with the checksum error and leaves nothing half-staged", async () => {
    const { bundleDir, parent } = previousBundle();
    const attempt = stageBackend({
      repoRoot,
      bundleDir,
      pythonArchive: tamperedArchive(),
      pythonSha256: staged.archiveSha256,
      wheelhouse: staged.wheelhouse,
      log: () => undefined,
    });
    await expect(attempt).rejects.toThrow(ChecksumMismatchError);
    await expect(attempt).rejects.toThrow(/Checksum mismatch for cpython-.*install_only_stripped\.tar\.gz: expected SHA-256 [0-9a-f]{64}, got [0-9a-f]{64}/);
    expect(readdirSync(parent)).toEqual(["backend"]);
    expect(readdirSync(bundleDir)).toEqual(["manifest.json"]);
  });

  it("cleans up after a broken archive given without a checksum", async () => {
    const { bundleDir, parent } = previousBundle();
    await expect(stageBackend({ repoRoot, bundleDir, pythonArchive: tamperedArchive(), wheelhouse: staged.wheelhouse, log: () => undefined })).rejects.toThrow();
    expect(readdirSync(parent)).toEqual(["backend"]);
    expect(readdirSync(bundleDir)).toEqual(["manifest.json"]);
  });

  it("fails the npm script with the same message and exit code 1", () => {
    const { bundleDir, parent } = previousBundle();
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", path.join(__dirname, "..", "scripts", "stage.ts"), "--python-archive", tamperedArchive(), "--bundle-dir", bundleDir],
      { env: { ...process.env, DDS_PYTHON_ARCHIVE_SHA256: staged.archiveSha256 }, encoding: "utf8" },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Staging failed: Checksum mismatch for cpython-/);
    expect(readdirSync(parent)).toEqual(["backend"]);
  });
});
