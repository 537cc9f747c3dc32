/**
 * What `npm run wrap` reads from project shapes the outside fixture does not
 * have: a settings package whose manage.py defaults to its dev module, a
 * database-server driver in the requirements, the admin, a required
 * environment variable, a Django older than 5.2 LTS. Small projects written
 * into a temporary folder.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { venvBin } from "../scripts/python-env.ts";
import { checkWheels, platformsWithoutWheels } from "../scripts/wrap/dependencies.ts";
import { desktopRequirements, desktopSettingsFiles } from "../scripts/wrap/desktopSettings.ts";
import { inspectProject, OLDEST_DJANGO, PYTEST_COMMAND, WrapRefusal } from "../scripts/wrap/inspect.ts";
import { repoRoot } from "../scripts/chapters.ts";
import { desktopPackageJson, packagingWorkflow, projectFactsFor, wrapReport } from "../scripts/wrap/shellFiles.ts";

function project(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), "dds-inspect-"));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

const MANAGE = (module: string) => `import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "${module}")\n`;

describe("inspectProject", () => {
  const blog = () =>
    project({
      "manage.py": MANAGE("mysite.settings.dev"),
      "mysite/__init__.py": "",
      "mysite/settings/__init__.py": "",
      "mysite/settings/base.py": [
        'INSTALLED_APPS = ["django.contrib.admin", "django.contrib.auth", "blog"]',
        'ROOT_URLCONF = "mysite.urls"',
        'STATIC_URL = "/static/"',
        'MEDIA_ROOT = BASE_DIR / "media"',
      ].join("\n"),
      "mysite/settings/dev.py": "from .base import *\nDEBUG = True\n",
      "mysite/settings/production.py": 'import os\nfrom .base import *\nSECRET_KEY = os.environ["SECRET_KEY"]\n',
      "blog/views.py": "from django.contrib.auth.decorators import login_required\n",
      "requirements.txt": "Django==6.1.3\ndj-database-url==3.0.1\npsycopg2-binary==2.9.11\nMarkdown==3.10\n",
    });

  it("reads every module of a settings package, not only the one manage.py names", () => {
    const report = inspectProject(blog());
    expect(report.settingsKind).toBe("module of a settings package");
    expect(report.rootUrlconf).toBe("mysite.urls");
    expect(report.decisions.map((decision) => decision.found)).toEqual(
      expect.arrayContaining([
        'MEDIA_ROOT = BASE_DIR / "media"',
        "manage.py defaults to the development module mysite.settings.dev; the desktop settings build on mysite.settings.production, the module the project deploys with",
        "Django's admin is installed",
        "SECRET_KEY is read from the environment variable SECRET_KEY with no usable default",
      ]),
    );
  });

  it("leaves server-only packages out with the reason, drops index lines, follows -r, and --keep puts one back", () => {
    const files = {
      "manage.py": MANAGE("site_settings"),
      "site_settings.py": "",
      "requirements.txt": "-i https://pypi.internal.example/simple\n--trusted-host pypi.internal.example\n-r requirements/base.txt\nuwsgi==2.0.31\ngunicorn==23.0.0\nboto3==1.40.0\n",
      "requirements/base.txt": "Django==6.1.3\npsycopg2-binary==2.9.11\nMarkdown==3.10\n",
    };
    const report = inspectProject(project(files));
    expect(report.leftOutRequirements.map((dropped) => dropped.name)).toEqual(["psycopg2-binary", "uwsgi", "gunicorn", "boto3"]);
    const requirements = desktopRequirements(report);
    expect(requirements).not.toMatch(/index-url|^-i|trusted-host|^-r/m);
    expect(requirements).toMatch(/^Django==6\.1\.3$/m);
    expect(requirements).toMatch(/^Markdown==3\.10$/m);
    expect(requirements).not.toMatch(/^(psycopg2|uwsgi|gunicorn|boto3)/m);
    expect(requirements).toContain("#   left out: uwsgi==2.0.31 (a web server for hosted deployments (desktop_serve runs Django on waitress); `--keep uwsgi` keeps it)");
    expect(requirements).toMatch(/^waitress==/m);
    expect(requirements).toMatch(/^whitenoise==/m);
    const found = report.decisions.map((decision) => `${decision.where}: ${decision.found}`);
    expect(found).toContain("requirements.txt: an install option left out: -i https://pypi.internal.example/simple");
    expect(found).toContain("requirements/base.txt:2: left out of the desktop requirements: psycopg2-binary==2.9.11, a database-server driver (the desktop app uses SQLite)");
    // --keep, and a cloud SDK the settings use, stay.
    const kept = inspectProject(project({ ...files, "site_settings.py": 'STORAGES = {"default": {"BACKEND": "storages.backends.s3.S3Storage"}}\n' }), { keep: ["uWSGI"] });
    expect(kept.leftOutRequirements.map((dropped) => dropped.name)).toEqual(["psycopg2-binary", "gunicorn"]);
  });

  it("pins the whole set the project's virtualenv resolves, dependencies included", () => {
    const root = project({ "manage.py": MANAGE("site_settings"), "site_settings.py": "", "requirements.txt": "django>=5.2\nwaitress\n" });
    // A virtualenv beside manage.py: the starter's own, which has Django and its dependencies installed.
    symlinkSync(path.dirname(path.dirname(venvBin("python"))), path.join(root, ".venv"));
    const report = inspectProject(root);
    expect(report.resolvedRequirements.source).toBe("virtualenv");
    const requirements = desktopRequirements(report);
    expect(requirements).toMatch(/^Django==\d+\.\d+\.\d+$/m);
    expect(requirements).toMatch(/^asgiref==[\d.]+$/m);
    expect(requirements).toMatch(/^sqlparse==[\d.]+$/m);
    expect(requirements).toMatch(/^waitress==[\d.]+$/m);
    expect(requirements).toMatch(/^tzdata ; sys_platform == "win32"$/m);
  });

  it("checks that every pinned package has a wheel for macOS arm64 and x86_64, Windows and Linux, or a pure-Python one", async () => {
    expect(platformsWithoutWheels(["whitenoise-6.12.0-py3-none-any.whl", "whitenoise-6.12.0.tar.gz"], "3.13")).toEqual([]);
    expect(platformsWithoutWheels(["uwsgi-2.0.31.tar.gz"], "3.12")).toEqual(["macOS arm64", "macOS x86_64", "Windows x64", "Linux x86_64"]);
    const pillow = ["macosx_11_0_arm64", "macosx_10_13_x86_64", "win_amd64", "manylinux_2_27_x86_64.manylinux_2_28_x86_64"].map((tag) => `pillow-12.0.0-cp312-cp312-${tag}.whl`);
    expect(platformsWithoutWheels(pillow, "3.12")).toEqual([]);
    expect(platformsWithoutWheels(pillow, "3.13")).toHaveLength(4);
    expect(platformsWithoutWheels(["cryptography-46.0.0-cp311-abi3-macosx_10_9_universal2.whl", "cryptography-46.0.0-cp311-abi3-manylinux_2_28_x86_64.whl"], "3.13")).toEqual(["Windows x64"]);
    const checked = await checkWheels(["uwsgi==2.0.31", "Django==6.1.3", "tzdata ; sys_platform == \"win32\""], "3.12", async (url) => ({
      releases: url.includes("/uwsgi/") ? { "2.0.31": [{ filename: "uwsgi-2.0.31.tar.gz" }] } : { "6.1.3": [{ filename: "django-6.1.3-py3-none-any.whl" }] },
    }));
    expect(checked.gaps).toEqual([{ line: "uwsgi==2.0.31", missing: ["macOS arm64", "macOS x86_64", "Windows x64", "Linux x86_64"], sourceOnly: true }]);
    expect(checked.unchecked).toEqual(['tzdata ; sys_platform == "win32"']);
    // The real index, when this machine reaches it: uwsgi has no wheels at all, Django a pure-Python one.
    const real = await checkWheels(["uwsgi==2.0.31", "Django==6.1.3"], "3.12").catch(() => undefined);
    if (real && real.unchecked.length === 0) expect(real.gaps.map((gap) => gap.line)).toEqual(["uwsgi==2.0.31"]);
  });

  describe("the project's Django version", () => {
    const versionDecisions = (requirements: string) =>
      inspectProject(project({ "manage.py": MANAGE("site_settings"), "site_settings.py": "", "requirements.txt": requirements }))
        .decisions.filter((decision) => /\bDjango\b.*(older|newer)/.test(decision.found));

    it("flags a Django older than 5.2 LTS, pinned or capped, and says to upgrade first", () => {
      const [older] = versionDecisions("Django==4.2.16\nwhitenoise==6.12.0\n");
      expect(older).toMatchObject({ topic: "dependencies", where: "requirements.txt:1", found: "a Django older than 5.2: Django==4.2.16" });
      expect(older!.todo).toMatch(/tested on Django 5\.2 LTS to 6\.1\b/);
      expect(older!.todo).toContain("Upgrade the project to Django 5.2 LTS first");
      for (const line of ["django~=5.1.0", "Django<5.2", "Django<=5.1.9", "Django >= 4.2, < 5.0"]) {
        expect(versionDecisions(`${line}\n`), line).toHaveLength(1);
      }
    });

    it("accepts 5.2 LTS to the starter's Django, and lower bounds it cannot judge", () => {
      for (const line of ["Django==5.2.19", "Django~=5.2", "Django==6.0.10", "Django==6.1.3", "Django>=4.2", "Django<6.2", "django-tasks-db==0.13.0"]) {
        expect(versionDecisions(`${line}\n`), line).toEqual([]);
      }
    });

    it("notes a Django newer than the starter's, for npm run check to settle", () => {
      const [newer] = versionDecisions("Django==7.0.1\n");
      expect(newer!.found).toBe("a Django newer than the ones desktop_runtime is tested on: Django==7.0.1");
    });

    it("5.2 is the Django that npm test runs desktop_runtime's tests on", () => {
      const pinned = readFileSync(path.join(import.meta.dirname, "..", "django", "desktop_runtime", "tests", "requirements-django52.txt"), "utf8");
      expect(pinned).toMatch(new RegExp(`^Django==${OLDEST_DJANGO.join("\\.")}\\.\\d+$`, "m"));
    });
  });

  describe("dependencies declared only in pyproject.toml (uv, Poetry 2, Hatch)", () => {
    const PYPROJECT = [
      "[project]",
      'name = "fieldnotes"',
      'requires-python = ">=3.12"',
      "dependencies = [",
      '    "django>=5.2,<5.3",',
      '    "django-environ>=0.12",',
      '    "pillow[xmp]>=11 ; python_version >= \'3.12\'",',
      '    "psycopg[binary]>=3.2",',
      '    "markdown>=3.7",',
      "]",
      "",
      "[dependency-groups]",
      'dev = ["ruff>=0.8"]',
      "",
    ].join("\n");
    const lockEntry = (name: string, version: string, dependencies = "") =>
      `[[package]]\nname = "${name}"\nversion = "${version}"\nsource = { registry = "https://pypi.org/simple" }\n${dependencies ? `dependencies = [\n${dependencies}]\n` : ""}`;
    const UV_LOCK = [
      "version = 1\nrevision = 3\nrequires-python = \">=3.12\"\n",
      lockEntry("asgiref", "3.9.1"),
      lockEntry("django", "5.2.19", '    { name = "asgiref" },\n    { name = "sqlparse" },\n    { name = "tzdata", marker = "sys_platform == \'win32\'" },\n'),
      lockEntry("django-environ", "0.14.0"),
      lockEntry("markdown", "3.8"),
      lockEntry("pillow", "13.0.0"),
      lockEntry("psycopg", "3.2.9", '    { name = "typing-extensions" },\n'),
      lockEntry("psycopg-binary", "3.2.9"),
      lockEntry("ruff", "0.17.6"),
      lockEntry("sqlparse", "0.5.3"),
      lockEntry("typing-extensions", "4.15.0"),
      lockEntry("tzdata", "2025.2"),
      '[[package]]\nname = "fieldnotes"\nversion = "0.1.0"\nsource = { virtual = "." }\ndependencies = [\n' +
        '    { name = "django" },\n    { name = "django-environ" },\n    { name = "markdown" },\n' +
        '    { name = "pillow", extra = ["xmp"], marker = "python_full_version >= \'3.12\'" },\n    { name = "psycopg", extra = ["binary"] },\n]\n' +
        '[package.dev-dependencies]\ndev = [{ name = "ruff" }]\n',
    ].join("\n");
    const fieldnotes = (files: Record<string, string> = {}) =>
      project({ "manage.py": MANAGE("config.settings"), "config/__init__.py": "", "config/settings.py": "", "pyproject.toml": PYPROJECT, ...files });

    it("walks uv.lock's graph from the runtime dependencies: every package pinned, markers kept, no server driver or dev group", () => {
      const report = inspectProject(fieldnotes({ "uv.lock": UV_LOCK }));
      expect(report.requirements).toBe("pyproject.toml");
      expect(report.resolvedRequirements.source).toBe("uv.lock");
      const requirements = desktopRequirements(report);
      expect(requirements).toMatch(/^django==5\.2\.19$/m);
      expect(requirements).toMatch(/^asgiref==3\.9\.1$/m);
      expect(requirements).toMatch(/^tzdata==2025\.2 ; sys_platform == 'win32'$/m);
      expect(requirements).toMatch(/^django-environ==0\.14\.0$/m);
      expect(requirements).toMatch(/^pillow==13\.0\.0 ; python_full_version >= '3\.12'$/m);
      expect(requirements).toMatch(/^markdown==3\.8$/m);
      expect(requirements).toContain("#   left out: psycopg[binary]>=3.2 (a database-server driver (the desktop app uses SQLite)");
      expect(requirements).not.toMatch(/^psycopg/m);
      expect(requirements).not.toMatch(/ruff/);
      expect(requirements).toMatch(/^waitress==/m);
      expect(requirements).toMatch(/^whitenoise==/m);
      const found = report.decisions.map((decision) => `${decision.where}: ${decision.found}`);
      expect(found).toContain("pyproject.toml:8: left out of the desktop requirements: psycopg[binary]>=3.2, a database-server driver (the desktop app uses SQLite)");
      expect(found).not.toContain("manage.py's folder: no requirements.txt and no [project] dependencies in pyproject.toml");
      expect(report.decisions.find((decision) => decision.where === "pyproject.toml")!.todo).toContain("`uv add --dev`");
    });

    it("without a uv.lock or a virtualenv, lists them as declared and asks for pins", () => {
      const report = inspectProject(fieldnotes());
      expect(desktopRequirements(report)).toMatch(/^django>=5\.2,<5\.3$/m);
      expect(report.decisions.find((decision) => decision.where === "pyproject.toml")!.todo).toContain("pin each (==) to the version you test with");
    });

    it("names the app and describes it from [project] name and description, not from the folder", () => {
      const described = PYPROJECT.replace('name = "fieldnotes"', 'name = "field-notes"\ndescription = "Notes from the field, with photos and maps."');
      const report = inspectProject(fieldnotes({ "pyproject.toml": described }));
      const facts = projectFactsFor(report);
      expect(facts.productName).toBe("Field Notes");
      expect(facts.executableName).toBe("field-notes");
      const finalPackage = readFileSync(path.join(import.meta.dirname, "..", "final", "package.json"), "utf8");
      const pkg = JSON.parse(desktopPackageJson(finalPackage, facts, report.appDescription)) as { name: string; description: string };
      expect(pkg).toMatchObject({ name: "field-notes-desktop", description: "Notes from the field, with photos and maps." });
      // --name still wins; without a description the package says what it is.
      expect(projectFactsFor(report, "Field Journal").productName).toBe("Field Journal");
      const plain = inspectProject(fieldnotes());
      expect(projectFactsFor(plain).productName).toBe("Fieldnotes");
      expect((JSON.parse(desktopPackageJson(finalPackage, projectFactsFor(plain), plain.appDescription)) as { description: string }).description).toBe(
        "Fieldnotes as a desktop app: an Electron shell around its Django project.",
      );
    });

    it("flags a Django older than 5.2 LTS locked in uv.lock", () => {
      const report = inspectProject(fieldnotes({ "pyproject.toml": PYPROJECT.replace("django>=5.2,<5.3", "django>=4.2,<5"), "uv.lock": UV_LOCK.replace('"5.2.19"', '"4.2.16"') }));
      expect(report.decisions.map((decision) => decision.found)).toContain("a Django older than 5.2: django==4.2.16");
    });
  });

  describe("settings read through django-environ or python-decouple", () => {
    const settingsOf = (settings: string) =>
      inspectProject(project({ "manage.py": MANAGE("config.settings"), "config/__init__.py": "", "config/settings.py": settings, "requirements.txt": "Django==6.1.3\n" }))
        .decisions.filter((decision) => decision.topic === "settings")
        .map((decision) => `${decision.where}: ${decision.found}`);

    it("flags each variable read without a default, as for os.environ[...]", () => {
      const found = settingsOf(
        [
          "import environ",
          "env = environ.Env(DEBUG=(bool, False), ALLOWED_HOSTS=(list,))",
          "environ.Env.read_env(BASE_DIR / '.env')",
          'SECRET_KEY = env("SECRET_KEY")',
          'DEBUG = env("DEBUG")',
          'ALLOWED_HOSTS = env("ALLOWED_HOSTS")',
          'TIME_ZONE = env.str("TIME_ZONE", default="UTC")',
          'LANGUAGE_CODE = env.str("LANGUAGE_CODE", "en-us")',
          'ADMINS = env.list("ADMINS", str, [])',
          'DATABASES = {"default": env.db("DATABASE_URL")}',
          "CACHES = {",
          '    "default": env.cache(),',
          "}",
          "EMAIL_HOST = env(",
          '    "EMAIL_HOST",',
          '    default="localhost",',
          ")",
          '# OLD_KEY = env("OLD_KEY")',
        ].join("\n"),
      );
      expect(found).toEqual([
        "config/settings.py:4: SECRET_KEY is read from the environment variable SECRET_KEY with no usable default",
        'config/settings.py:6: a setting that requires an environment variable (django-environ, no default): ALLOWED_HOSTS = env("ALLOWED_HOSTS")',
        'config/settings.py:10: a setting that requires an environment variable (django-environ, no default): DATABASES = {"default": env.db("DATABASE_URL")}',
        'config/settings.py:12: a setting that requires an environment variable (django-environ, no default): "default": env.cache(),',
        "config/settings.py:3: the settings read a .env file: environ.Env.read_env(BASE_DIR / '.env')",
      ]);
    });

    it("flags python-decouple's config() without a default, and a load_dotenv(), and says what to set", () => {
      const report = inspectProject(
        project({
          "manage.py": MANAGE("config.settings"),
          "config/__init__.py": "",
          "config/settings.py": [
            "from decouple import Csv, config",
            "from dotenv import load_dotenv",
            "load_dotenv()",
            'SECRET_KEY = config("SECRET_KEY")',
            'DEBUG = config("DEBUG", default=False, cast=bool)',
            'ALLOWED_HOSTS = config("ALLOWED_HOSTS", cast=Csv())',
            'TIME_ZONE = config("TIME_ZONE", "UTC")',
          ].join("\n"),
          "requirements.txt": "Django==6.1.3\n",
        }),
      );
      const settings = report.decisions.filter((decision) => decision.topic === "settings");
      expect(settings.map((decision) => `${decision.where}: ${decision.found}`)).toEqual([
        "config/settings.py:4: SECRET_KEY is read from the environment variable SECRET_KEY with no usable default",
        'config/settings.py:6: a setting that requires an environment variable (python-decouple, no default): ALLOWED_HOSTS = config("ALLOWED_HOSTS", cast=Csv())',
        "config/settings.py:3: the settings read a .env file: load_dotenv()",
      ]);
      expect(settings[0]!.todo).toContain("desktop_settings/base.py gives SECRET_KEY a development-only value when it is unset");
      expect(settings[1]!.todo).toBe(
        "The desktop app starts without your deployment's environment: give it a default (default=...) or set ALLOWED_HOSTS in desktop_settings/base.py (os.environ.setdefault) before the import.",
      );
      expect(settings[2]!.todo).toContain("The desktop app must not depend on a .env file: the stage leaves .env out of the bundle");
    });
  });

  it("refuses a manage.py without a default settings module, and names --settings", () => {
    expect(() => inspectProject(project({ "manage.py": "print('hi')\n" }))).toThrow(WrapRefusal);
    expect(() => inspectProject(project({ "manage.py": "print('hi')\n" }))).toThrow(/does not set a default DJANGO_SETTINGS_MODULE.*Name them with --settings <module>/s);
  });

  describe("which settings the desktop settings build on", () => {
    const layered = (manage: string, init: string) =>
      project({
        "manage.py": manage,
        "family/__init__.py": "",
        "family/settings/__init__.py": init,
        "family/settings/base.py": 'INSTALLED_APPS = ["django.contrib.auth"]\nROOT_URLCONF = "family.urls"\n',
        "family/settings/dev.py": 'from .base import *\nINSTALLED_APPS += ["debug_toolbar"]\n',
        "family/settings/production.py": "from .base import *\nDEBUG = False\n",
        "family/wsgi.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "family.settings.production")\n',
      });

    it("--settings names them when manage.py names none, without editing manage.py", () => {
      const root = layered("import sys\n", "");
      const report = inspectProject(root, { settings: "family.settings.production" });
      expect(report.settingsModule).toBe("family.settings.production");
      expect(report.settingsKind).toBe("module of a settings package");
      expect(report.managePySettings).toBeUndefined();
      expect(readFileSync(path.join(root, "manage.py"), "utf8")).toBe("import sys\n");
      expect(() => inspectProject(root, { settings: "family.settings.staging" })).toThrow(/--settings names the settings module family\.settings\.staging, but neither/);
    });

    it("a package whose __init__ imports its dev module is reported, and the desktop settings build on the module wsgi.py deploys with", () => {
      const report = inspectProject(layered(MANAGE("family.settings"), "from .dev import *  # noqa\n"));
      expect(report.settingsModule).toBe("family.settings.production");
      const reported = report.decisions.find((decision) => decision.found.includes("imports its development module"))!;
      expect(reported).toMatchObject({ topic: "settings", where: "family/settings/__init__.py:1" });
      expect(reported.todo).toContain("The desktop settings build on family.settings.production, the module the project deploys with");
      // --settings wins over the wrap's choice.
      expect(inspectProject(layered(MANAGE("family.settings"), "from .dev import *\n"), { settings: "family.settings" }).settingsModule).toBe("family.settings");
    });

    it("--settings naming a module of that package still reports the dev import, which runs first: with file, line and the guard to add", () => {
      const report = inspectProject(layered(MANAGE("family.settings"), "# developers' default\nfrom .dev import *  # noqa\n"), { settings: "family.settings.production" });
      expect(report.settingsModule).toBe("family.settings.production");
      const reported = report.decisions.find((decision) => decision.found.includes("imports its development module"))!;
      expect(reported).toMatchObject({ topic: "settings", where: "family/settings/__init__.py:2" });
      expect(reported.found).toContain("family/settings/dev.py runs whenever family.settings.production is imported");
      expect(reported.todo).toContain('`if os.environ.get("DJANGO_SETTINGS_MODULE") == "family.settings": from .dev import *`');

      // The field-inspections fixture: manage.py names no settings, so --settings is the only way in.
      const fieldInspections = path.join(repoRoot, "tests", "fixtures", "field-inspections");
      const field = inspectProject(fieldInspections, { settings: "config.settings.production" });
      const devImport = field.decisions.find((decision) => decision.found.includes("imports its development module"));
      expect(devImport?.where).toBe("config/settings/__init__.py:2");
      const wrapMd = wrapReport(field, projectFactsFor(field), readFileSync(path.join(fieldInspections, "manage.py"), "utf8"));
      expect(wrapMd).toContain("`config/settings/__init__.py:2`: the settings package config.settings imports its development module: from .dev import *");
    });
  });

  describe("the bundled Python version", () => {
    const versioned = (files: Record<string, string>) => inspectProject(project({ "manage.py": MANAGE("site_settings"), "site_settings.py": "", ...files }));

    it("is 3.12 when the project names none, 3.13 for requires-python >= 3.13, .python-version or runtime.txt", () => {
      expect(versioned({}).pythonVersion).toBe("3.12");
      expect(versioned({ "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.13"\n' }).pythonVersion).toBe("3.13");
      expect(versioned({ "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.10,<3.14"\n' }).pythonVersion).toBe("3.12");
      expect(versioned({ ".python-version": "3.13.1\n" }).pythonVersion).toBe("3.13");
      expect(versioned({ "runtime.txt": "python-3.13.2\n" }).pythonVersion).toBe("3.13");
      const report = versioned({ "pyproject.toml": '[project]\nname = "x"\nrequires-python = "~=3.13"\n' });
      expect(report.decisions.find((decision) => decision.topic === "python")!.found).toBe("the app bundles Python 3.13 (pyproject.toml's requires-python is ~=3.13)");
      expect(projectFactsFor(report).pythonVersion).toBe("3.13");
    });

    it("refuses, in one paragraph, when no bundled version satisfies the project", () => {
      expect(() => versioned({ "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.14"\n' })).toThrow(
        /needs a Python the bundled runtime does not carry: pyproject\.toml's requires-python is >=3\.14\. The pinned python-build-standalone release carries 3\.12\.12 and 3\.13\.12/,
      );
      expect(() => versioned({ ".python-version": "3.11\n" })).toThrow(WrapRefusal);
      expect(() => versioned({ ".python-version": "3.12\n", "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.13"\n' })).toThrow(/\.python-version says 3\.12/);
    });
  });

  describe("the app's name and description", () => {
    const named = (files: Record<string, string>) => {
      const report = inspectProject(project({ "manage.py": MANAGE("site_settings"), "site_settings.py": "", ...files }));
      return { facts: projectFactsFor(report), description: report.appDescription };
    };

    it("come from setup.cfg's [metadata], else the README's title and first paragraph, not from the folder", () => {
      expect(named({ "setup.cfg": "[metadata]\nname = linkding\ndescription = Self-hosted bookmark manager\n\n[options]\npackages = find:\n" })).toMatchObject({
        facts: { productName: "Linkding", executableName: "linkding" },
        description: "Self-hosted bookmark manager",
      });
      expect(named({ "README.md": "[![CI](https://x/badge.svg)](https://x)\n\n# Family Hub\n\nA private place for a family's calendar and chores.\n\n## Install\n" })).toMatchObject({
        facts: { productName: "Family Hub" },
        description: "A private place for a family's calendar and chores.",
      });
      // A sentence is not a name: the folder's name stays.
      expect(named({ "README.md": "# Outside project: a library catalog (test fixture)\n" }).facts.productName).toMatch(/^Dds Inspect/);
    });
  });

  it("looks for assets from other hosts only in templates Django serves", () => {
    const report = inspectProject(
      project({
        "manage.py": MANAGE("site_settings"),
        "site_settings.py": "",
        "templates/base.html": '<link rel="stylesheet" href="https://cdn.example/site.css">\n',
        "docs/_build/html/index.html": '<script src="https://cdn.example/docs.js"></script>\n',
        "coverage/index.html": '<script src="https://cdn.example/coverage.js"></script>\n',
      }),
    );
    expect(report.decisions.filter((decision) => decision.topic === "cdn").map((decision) => decision.where)).toEqual(["templates/base.html:1"]);
  });

  it("lists the paths under the project the settings write to, which the desktop settings move", () => {
    const report = inspectProject(
      project({
        "manage.py": MANAGE("site_settings"),
        "site_settings.py": [
          "BASE_DIR = Path(__file__).resolve().parent",
          'STATIC_ROOT = BASE_DIR / "staticfiles"',
          'FAVICON_CACHE_DIR = BASE_DIR / "favicons"',
          'LOGGING = {"handlers": {"file": {"class": "logging.FileHandler", "filename": BASE_DIR / "app.log"}}}',
        ].join("\n"),
      }),
    );
    expect(report.decisions.filter((decision) => decision.topic === "writes").map((decision) => decision.where)).toEqual(["site_settings.py:3", "site_settings.py:4"]);
  });

  describe("path settings into build output, and what the settings write", () => {
    const settings = (lines: string[], files: Record<string, string> = {}) =>
      inspectProject(project({ "manage.py": MANAGE("site_settings"), "site_settings.py": ["BASE_DIR = Path(__file__).resolve().parent", ...lines].join("\n"), ...files }));
    const writes = (report: ReturnType<typeof inspectProject>) =>
      report.decisions.filter((decision) => decision.topic === "writes").map((decision) => `${decision.where} ${decision.found.startsWith("a path into build output") ? "left" : "moved"}`);

    it("a manifest inside STATICFILES_DIRS, an app's static/ folder or the frontend build's folder is left in place, and WRAP.md says so; a log file still moves", () => {
      const report = settings(
        [
          'STATICFILES_DIRS = [BASE_DIR / "static", ("vite", BASE_DIR / "../frontend/dist")]',
          'VITE_MANIFEST_PATH = BASE_DIR / "static" / "dist" / "manifest.json"',
          'OUTSIDE_MANIFEST_PATH = BASE_DIR / "../frontend/dist/.vite/manifest.json"',
          'SHOP_MANIFEST_FILE = os.path.join(BASE_DIR, "shop", "static", "shop", "manifest.json")',
          'WEBPACK_STATS_FILE = BASE_DIR / "frontend" / "webpack-stats.json"',
          'LOG_FILE = BASE_DIR / "logs" / "app.log"',
        ],
        { "frontend/package.json": '{"scripts": {"build": "webpack"}}' },
      );
      expect(writes(report)).toEqual(["site_settings.py:3 left", "site_settings.py:4 left", "site_settings.py:5 left", "site_settings.py:6 left", "site_settings.py:7 moved"]);
      const [inside, outside, , frontend] = report.decisions.filter((decision) => decision.topic === "writes");
      expect(inside!.todo).toContain('VITE_MANIFEST_PATH points inside STATICFILES_DIRS\'s BASE_DIR / "static", where a build writes what the app reads');
      expect(inside!.todo).toContain("desktop_settings/writable.py leaves it where it is");
      expect(outside!.todo).toContain("It lies outside manage.py's folder");
      expect(frontend!.todo).toContain("the frontend build's folder (frontend/)");
      // LabTrack's shape: ROOT_DIR = BASE_DIR.parent, the manifest under it.
      const aliased = settings(['ROOT_DIR = BASE_DIR.parent', 'STATICFILES_DIRS = [ROOT_DIR / "frontend" / "dist"]', 'VITE_MANIFEST_PATH = BASE_DIR / "../frontend/dist/.vite/manifest.json"']);
      expect(writes(aliased)).toEqual(["site_settings.py:2 moved", "site_settings.py:4 left"]);
      // The frontend build's own folder reaches writable.py through base.py.
      expect(desktopSettingsFiles(report)["base.py"]).toContain('DESKTOP_FRONTEND_BUILD_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "frontend")');
      expect(desktopSettingsFiles(settings([]))["base.py"]).not.toContain("DESKTOP_FRONTEND_BUILD_DIR");
    });

    it("writable.py leaves a manifest the build has not written yet, and still moves a log file, a log handler and a file storage", () => {
      const root = project({ "shop/__init__.py": "", "frontend/.keep": "" });
      const script = String.raw`
import importlib.util, json, sys
from pathlib import Path
spec = importlib.util.spec_from_file_location("writable", sys.argv[1])
writable = importlib.util.module_from_spec(spec)
spec.loader.exec_module(writable)
base = Path(sys.argv[2])
settings = {
    "BASE_DIR": base,
    "INSTALLED_APPS": ["django.contrib.admin", "shop.apps.ShopConfig"],
    "STATIC_ROOT": base / "staticfiles",
    "STATICFILES_DIRS": [base / "static", ("vite", base / "assets" / "dist")],
    "DESKTOP_FRONTEND_BUILD_DIR": str(base / "frontend"),
    "VITE_MANIFEST_PATH": base / "static" / "dist" / "manifest.json",
    "PREFIXED_MANIFEST_PATH": base / "assets" / "dist" / ".vite" / "manifest.json",
    "SHOP_MANIFEST_FILE": str(base / "shop" / "static" / "shop" / "manifest.json"),
    "WEBPACK_STATS_FILE": base / "frontend" / "webpack-stats.json",
    "COLLECTED_MANIFEST_PATH": base / "staticfiles" / "manifest.json",
    "DJANGO_VITE": {"default": {"manifest_path": base / "static" / "dist" / "manifest.json"}},
    "LOG_FILE": base / "logs" / "app.log",
    "EXPORT_DIR": base / "exports",
    "LOGGING": {"version": 1, "handlers": {"file": {"class": "logging.FileHandler", "filename": base / "app.log"}}},
    "STORAGES": {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": base / "uploads"}}},
}
changes = writable.writable_settings(settings, base, Path(sys.argv[3]))
print(json.dumps({name: str(value) if isinstance(value, (str, Path)) else value for name, value in changes.items()}, default=str))
`;
      const data = path.join(root, ".data");
      const ran = spawnSync(venvBin("python"), ["-c", script, path.join(repoRoot, "scripts", "wrap", "python", "writable.py"), root, data], { encoding: "utf8" });
      expect(ran.status, ran.stderr).toBe(0);
      const changes = JSON.parse(ran.stdout) as Record<string, unknown>;
      for (const kept of ["VITE_MANIFEST_PATH", "PREFIXED_MANIFEST_PATH", "SHOP_MANIFEST_FILE", "WEBPACK_STATS_FILE", "COLLECTED_MANIFEST_PATH", "DJANGO_VITE"]) expect(changes).not.toHaveProperty(kept);
      expect(changes.EXPORT_DIR).toBe(path.join(data, "exports"));
      expect(changes.LOG_FILE).toBe(path.join(data, "logs", "app.log"));
      expect(JSON.stringify(changes.LOGGING)).toContain(path.join(data, "app.log"));
      expect(JSON.stringify(changes.STORAGES)).toContain(path.join(data, "uploads"));
    });
  });

  describe("test settings and task queues", () => {
    const layered = (files: Record<string, string>) =>
      inspectProject(project({ "manage.py": MANAGE("shop.settings.production"), "shop/__init__.py": "", "shop/settings/__init__.py": "", "shop/settings/production.py": "", ...files }));

    it("finds the project's test settings: pytest's DJANGO_SETTINGS_MODULE first, else a test module of the settings package", () => {
      expect(layered({ "shop/settings/test.py": "" }).testSettings).toEqual({ module: "shop.settings.test", where: "shop/settings/test.py" });
      expect(layered({ "shop/settings/ci.py": "", "pyproject.toml": '[tool.pytest.ini_options]\nDJANGO_SETTINGS_MODULE = "shop.settings.ci"\n' }).testSettings).toEqual({
        module: "shop.settings.ci",
        where: "pyproject.toml:2",
      });
      expect(layered({}).testSettings).toBeUndefined();
      expect(desktopSettingsFiles(layered({ "shop/settings/test.py": "" }))["test.py"]).toContain("from shop.settings.test import *");
      expect(desktopSettingsFiles(layered({}))["test.py"]).toContain("from .dev import *");
    });

    it("a pytest suite gets `python -m pytest --ds=desktop_settings.test` in WRAP.md and test.py, not `manage.py test`, which would run none of it", () => {
      const pytestIni = layered({ "shop/settings/test.py": "", "pytest.ini": "[pytest]\nDJANGO_SETTINGS_MODULE = shop.settings.test\npython_files = test_*.py\n" });
      expect(pytestIni.testRunner).toEqual({ name: "pytest", where: "pytest.ini:2", command: PYTEST_COMMAND });
      expect(PYTEST_COMMAND).toBe("python -m pytest --ds=desktop_settings.test");
      const tests = pytestIni.decisions.find((decision) => decision.topic === "tests")!;
      expect(tests.todo).toContain("Run the project's tests with `python -m pytest --ds=desktop_settings.test` in manage.py's folder");
      expect(tests.todo).toContain("`manage.py test` would find none of them and still exit 0");
      expect(desktopSettingsFiles(pytestIni)["test.py"]).toContain("    python -m pytest --ds=desktop_settings.test\n");
      expect(wrapReport(pytestIni, projectFactsFor(pytestIni), MANAGE("shop.settings.production"))).toContain("`test.py` for the project's tests (`python -m pytest --ds=desktop_settings.test` in manage.py's folder, as they run under pytest)");
      expect(layered({ "setup.cfg": "[tool:pytest]\nDJANGO_SETTINGS_MODULE = shop.settings.production\n" }).testRunner).toMatchObject({ name: "pytest", where: "setup.cfg:2" });
      expect(layered({ "pyproject.toml": '[tool.pytest.ini_options]\nDJANGO_SETTINGS_MODULE = "shop.settings.production"\n' }).testRunner).toMatchObject({ name: "pytest", where: "pyproject.toml:2" });
      expect(layered({ "requirements-dev.txt": "# tools\npytest==9.2.0\npytest-django==4.14.0\n" }).testRunner).toMatchObject({ name: "pytest", where: "requirements-dev.txt:3" });
      // Django's own runner otherwise, as before.
      const plain = layered({ "requirements.txt": "Django==6.1.3\n" });
      expect(plain.testRunner.name).toBe("django");
      expect(plain.decisions.find((decision) => decision.topic === "tests")!.todo).toContain("`DJANGO_SETTINGS_MODULE=desktop_settings.test python manage.py test`");
    });

    it("writes a worker for huey and django-q2, and says what to do instead for Celery and RQ", () => {
      const huey = layered({ "shop/settings/production.py": 'INSTALLED_APPS = ["huey.contrib.djhuey"]\nHUEY = {"huey_class": "huey.SqliteHuey"}\n' });
      expect(huey.queues).toEqual([{ name: "huey", where: "shop/settings/production.py:1", worker: "desktop_huey_worker" }]);
      const files = desktopSettingsFiles(huey);
      expect(files["apps.py"]).toContain('desktop_worker_command = "desktop_huey_worker"');
      expect(files["management/commands/desktop_huey_worker.py"]).toContain("exit_when_stdin_closes()");
      expect(files["base.py"]).toContain('"desktop_runtime", "desktop_settings"');
      const celery = layered({ "requirements.txt": "Django==6.1.3\ncelery==5.5.3\nredis==7.0.1\n" });
      expect(celery.queues).toEqual([{ name: "celery", where: "requirements.txt:2", worker: undefined }]);
      expect(celery.decisions.find((decision) => decision.topic === "workers")!.todo).toMatch(/^A desktop app has no broker server\. Move the tasks to huey with its SQLite storage, django-q2 with its ORM broker/);
      expect(Object.keys(desktopSettingsFiles(celery))).not.toContain("apps.py");
      expect(layered({ "requirements.txt": "django-rq==3.1\n" }).queues.map((queue) => queue.name)).toEqual(["rq"]);
    });
  });

  describe("a frontend build", () => {
    const built = (files: Record<string, string>) => inspectProject(project({ "manage.py": MANAGE("site_settings"), "site_settings.py": "", ...files }));

    it("an npm build script becomes the facts' frontendBuild, said in WRAP.md with the file and line", () => {
      const report = built({
        "frontend/package.json": '{\n  "name": "ui",\n  "scripts": {\n    "build": "esbuild src/app.js --bundle --outdir=../static/dist"\n  }\n}\n',
        "frontend/package-lock.json": "{}\n",
      });
      expect(projectFactsFor(report).frontendBuild).toEqual({ cwd: "frontend", commands: [["npm", "ci"], ["npm", "run", "build"]] });
      const decision = report.decisions.find((item) => item.topic === "frontend")!;
      expect(decision.where).toBe("frontend/package.json:4");
      expect(decision.todo).toContain("`npm ci`, then `npm run build` in frontend/");
    });

    it("static files git ignores, with no build found, ask for frontendBuild; with a build, WRAP.md says they reach the bundle", () => {
      const root = project({ "manage.py": MANAGE("site_settings"), "site_settings.py": "", "app/static/app/dist/app.js": "built();\n", ".gitignore": "dist/\n" });
      expect(spawnSync("git", ["init", "-q"], { cwd: root }).status).toBe(0);
      const unbuilt = inspectProject(root).decisions.find((decision) => decision.topic === "frontend")!;
      expect(unbuilt).toMatchObject({ where: "app/static/app/dist", found: "static files that git ignores: app/static/app/dist" });
      expect(unbuilt.todo).toContain("set frontendBuild in desktop/src/project.ts");
      writeFileSync(path.join(root, "package.json"), '{"scripts": {"build": "rollup -c"}}\n');
      expect(inspectProject(root).decisions.find((decision) => decision.topic === "frontend")!.todo).toContain("although git ignores it (app/static/app/dist)");
    });

    it("a bundler config without a build script is run with npx; no build gives empty commands", () => {
      expect(projectFactsFor(built({ "package.json": '{"devDependencies": {"rollup": "4.0.0"}}', "rollup.config.mjs": "export default {};\n" })).frontendBuild).toEqual({
        cwd: ".",
        commands: [["npm", "install"], ["npx", "rollup", "-c"]],
      });
      expect(projectFactsFor(built({})).frontendBuild).toEqual({ cwd: ".", commands: [] });
    });
  });

  it("finds the virtualenv, requirements, name and frontend build at the repository's root when manage.py sits in src/", () => {
    const root = project({
      "README.md": "# LabTrack\n\nSample tracking for a small lab.\n",
      "requirements/base.txt": "Django==5.2.8\nPillow==12.1.1\n",
      "requirements/prod.txt": "-r base.txt\ngunicorn==23.0.0\n",
      "requirements/dev.txt": "-r base.txt\npytest-django==4.14.0\n",
      ".venv/pyvenv.cfg": "home = /usr/bin\nversion = 3.12.1\n",
      "package.json": JSON.stringify({ scripts: { build: "vite build" } }),
      "src/manage.py": MANAGE("labtrack.settings"),
      "src/labtrack/__init__.py": "",
      "src/labtrack/settings.py": 'INSTALLED_APPS = ["samples"]\nROOT_URLCONF = "labtrack.urls"\nSTATIC_URL = "/static/"\n',
    });
    spawnSync("git", ["init", "-q"], { cwd: root });
    const report = inspectProject(path.join(root, "src"));
    expect(report.requirements).toBe("../requirements/prod.txt");
    expect(report.venv).toBe("../.venv");
    expect(report.appName).toBe("LabTrack");
    expect(projectFactsFor(report).frontendBuild).toEqual({ cwd: "..", commands: [["npm", "install"], ["npm", "run", "build"]] });
    expect(report.decisions.find((decision) => decision.topic === "frontend")!.where).toBe("../package.json:1");
    expect(report.pythonVersion).toBe("3.12");
    expect(report.testRunner).toMatchObject({ name: "pytest", where: "../requirements/dev.txt:2" });
    expect(report.repository).toBe(root);
    // Reached through a link (macOS's /var is /private/var, and git answers with the real path): the same folders, as given.
    const linked = `${root}-linked`;
    symlinkSync(root, linked);
    expect(inspectProject(path.join(linked, "src"))).toMatchObject({ repository: linked, venv: "../.venv", requirements: "../requirements/prod.txt" });
    // The packaging workflow goes to the repository's root, its jobs into src/desktop/.
    const workflow = packagingWorkflow(projectFactsFor(report), "src");
    expect(workflow).toContain("        working-directory: src/desktop\n");
    expect(workflow).toContain("            src/desktop/out/*.dmg\n");
    expect(workflow).not.toMatch(/^\s+(working-directory: |)desktop\//m);

    // Outside a git checkout only manage.py's folder counts, as before.
    const loose = project({ "requirements.txt": "Django==5.2.8\n", "src/manage.py": MANAGE("labtrack.settings"), "src/labtrack/__init__.py": "", "src/labtrack/settings.py": 'ROOT_URLCONF = "labtrack.urls"\n' });
    expect(inspectProject(path.join(loose, "src")).requirements).toBeUndefined();
  });
});
