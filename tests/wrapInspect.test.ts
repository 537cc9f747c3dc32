/**
 * What `npm run wrap` reads from project shapes the outside fixture does not
 * have: a settings package whose manage.py defaults to its dev module, a
 * database-server driver in the requirements, the admin, a required
 * environment variable, a Django older than 5.2 LTS. Small projects written
 * into a temporary folder.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { desktopRequirements } from "../scripts/wrap/desktopSettings.ts";
import { inspectProject, OLDEST_DJANGO, WrapRefusal } from "../scripts/wrap/inspect.ts";
import { desktopPackageJson, projectFactsFor } from "../scripts/wrap/shellFiles.ts";

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
    expect(report.staticUrl).toBe("/static/");
    expect(report.decisions.map((decision) => decision.found)).toEqual(
      expect.arrayContaining([
        'MEDIA_ROOT = BASE_DIR / "media"',
        "manage.py defaults to the development module mysite.settings.dev; the desktop settings build on mysite.settings.production, the module the project deploys with",
        "Django's admin is installed",
        'a setting that requires an environment variable: SECRET_KEY = os.environ["SECRET_KEY"]',
      ]),
    );
  });

  it("leaves database-server drivers out of the desktop requirements, and keeps pure-Python helpers", () => {
    const report = inspectProject(blog());
    expect(report.droppedRequirements).toEqual(["psycopg2-binary==2.9.11"]);
    const requirements = desktopRequirements(report);
    expect(requirements).toContain("#   left out: psycopg2-binary==2.9.11");
    expect(requirements).toMatch(/^dj-database-url==3\.0\.1$/m);
    expect(requirements).toMatch(/^Markdown==3\.10$/m);
    expect(requirements).not.toMatch(/^psycopg2/m);
    expect(requirements).toMatch(/^whitenoise==/m);
    expect(requirements).toMatch(/^waitress==/m);
  });

  it("reads requirements.txt through -r when nothing needs leaving out", () => {
    const report = inspectProject(project({ "manage.py": MANAGE("site_settings"), "site_settings.py": "", "requirements.txt": "Django==6.1.3\n" }));
    expect(report.settingsKind).toBe("single file");
    expect(desktopRequirements(report)).toContain("-r ../requirements.txt\n");
    // desktop_serve runs on waitress, whatever the project uses.
    expect(desktopRequirements(report)).toMatch(/^waitress==[\d.]+$/m);
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
    const lockEntry = (name: string, version: string) => `[[package]]\nname = "${name}"\nversion = "${version}"\nsource = { registry = "https://pypi.org/simple" }\n`;
    const UV_LOCK = [
      "version = 1\nrevision = 3\nrequires-python = \">=3.12\"\n",
      lockEntry("django", "5.2.19"),
      lockEntry("django-environ", "0.14.0"),
      lockEntry("pillow", "13.0.0"),
      lockEntry("psycopg", "3.2.9"),
      lockEntry("ruff", "0.17.6"),
      '[[package]]\nname = "fieldnotes"\nversion = "0.1.0"\nsource = { virtual = "." }\n',
    ].join("\n");
    const fieldnotes = (files: Record<string, string> = {}) =>
      project({ "manage.py": MANAGE("config.settings"), "config/__init__.py": "", "config/settings.py": "", "pyproject.toml": PYPROJECT, ...files });

    it("lists them in the desktop requirements pinned to uv.lock, without the database-server driver or the dev group", () => {
      const report = inspectProject(fieldnotes({ "uv.lock": UV_LOCK }));
      expect(report.requirements).toBe("pyproject.toml");
      const requirements = desktopRequirements(report);
      expect(requirements).toMatch(/^django==5\.2\.19$/m);
      expect(requirements).toMatch(/^django-environ==0\.14\.0$/m);
      expect(requirements).toMatch(/^pillow\[xmp\]==13\.0\.0 ; python_version >= '3\.12'$/m);
      // Not in uv.lock: kept as declared, and named in WRAP.md for pinning by hand.
      expect(requirements).toMatch(/^markdown>=3\.7$/m);
      expect(requirements).toContain("#   left out (the desktop app uses SQLite): psycopg[binary]==3.2.9");
      expect(requirements).not.toMatch(/^psycopg/m);
      expect(requirements).not.toMatch(/ruff/);
      expect(requirements).toMatch(/^waitress==/m);
      expect(requirements).toMatch(/^whitenoise==/m);
      const found = report.decisions.map((decision) => `${decision.where}: ${decision.found}`);
      expect(found).toContain("pyproject.toml:8: a database-server driver: psycopg[binary]==3.2.9");
      expect(found).not.toContain("manage.py's folder: no requirements.txt and no [project] dependencies in pyproject.toml");
      const uv = report.decisions.find((decision) => decision.where === "pyproject.toml")!;
      expect(uv.todo).toContain("(not markdown>=3.7: pin these by hand)");
      expect(uv.todo).toContain("`uv add --dev`");
    });

    it("without a uv.lock, lists them as declared and asks for pins", () => {
      const report = inspectProject(fieldnotes());
      expect(desktopRequirements(report)).toMatch(/^django>=5\.2,<5\.3$/m);
      expect(report.decisions.find((decision) => decision.where === "pyproject.toml")!.todo).toContain("pin each to the version you test with");
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
        'config/settings.py:4: a setting that requires an environment variable (django-environ, no default): SECRET_KEY = env("SECRET_KEY")',
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
        'config/settings.py:4: a setting that requires an environment variable (python-decouple, no default): SECRET_KEY = config("SECRET_KEY")',
        'config/settings.py:6: a setting that requires an environment variable (python-decouple, no default): ALLOWED_HOSTS = config("ALLOWED_HOSTS", cast=Csv())',
        "config/settings.py:3: the settings read a .env file: load_dotenv()",
      ]);
      expect(settings[0]!.todo).toBe(
        "The desktop app starts without your deployment's environment: give it a default (default=...) or set SECRET_KEY in desktop_settings/base.py (os.environ.setdefault) before the import.",
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
      expect(reported.todo).toContain("the desktop settings build on family.settings.production");
      // --settings wins over the wrap's choice.
      expect(inspectProject(layered(MANAGE("family.settings"), "from .dev import *\n"), { settings: "family.settings" }).settingsModule).toBe("family.settings");
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

    it("a bundler config without a build script is run with npx; no build gives empty commands", () => {
      expect(projectFactsFor(built({ "package.json": '{"devDependencies": {"rollup": "4.0.0"}}', "rollup.config.mjs": "export default {};\n" })).frontendBuild).toEqual({
        cwd: ".",
        commands: [["npm", "install"], ["npx", "rollup", "-c"]],
      });
      expect(projectFactsFor(built({})).frontendBuild).toEqual({ cwd: ".", commands: [] });
    });
  });
});
