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
        "the desktop settings build on mysite.settings.dev, the development module manage.py defaults to",
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

  it("refuses a manage.py without a default settings module, saying what to add", () => {
    expect(() => inspectProject(project({ "manage.py": "print('hi')\n" }))).toThrow(WrapRefusal);
    expect(() => inspectProject(project({ "manage.py": "print('hi')\n" }))).toThrow(/does not set a default DJANGO_SETTINGS_MODULE/);
  });
});
