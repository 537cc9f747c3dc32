import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { contribImports, pruneDjango, removableContribApps, removeCachesAndSources } from "../scripts/pruneBundle";
import { tempDir } from "./helpers";

/** Writes `files` (path relative to `root` -> content) and returns `root`. */
function tree(root: string, files: Record<string, string>): string {
  for (const [relative, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    writeFileSync(path.join(root, relative), content);
  }
  return root;
}

/** A site-packages with a small django: auth imports sites, admindocs imports admin, auth/admin.py imports admin. */
function sitePackages(extra: Record<string, string> = {}): { site: string; djangoPackage: string } {
  const site = tree(tempDir(), {
    "django/__init__.py": "",
    "django/contrib/auth/forms.py": "from django.contrib.sites.shortcuts import get_current_site\n",
    "django/contrib/auth/admin.py": "from django.contrib import admin\n",
    "django/contrib/sites/shortcuts.py": "from django.apps import apps\n",
    "django/contrib/admin/__init__.py": "",
    "django/contrib/admin/static/admin/css/base.css": "body {}",
    "django/contrib/admin/templates/admin/base.html": "",
    "django/contrib/admindocs/views.py": "from django.contrib.admin.views.decorators import staff_member_required\n",
    "django/contrib/gis/__init__.py": "",
    "django/contrib/humanize/__init__.py": "",
    "django/conf/locale/__init__.py": "LANG_INFO = {}\n",
    "django/conf/locale/en/formats.py": "",
    "django/conf/locale/en/LC_MESSAGES/django.mo": "",
    "django/conf/locale/de/formats.py": "",
    "django/conf/locale/de/LC_MESSAGES/django.mo": "",
    "django/contrib/humanize/locale/de/LC_MESSAGES/django.mo": "",
    "django/contrib/humanize/locale/en/LC_MESSAGES/django.mo": "",
    ...extra,
  });
  return { site, djangoPackage: path.join(site, "django") };
}

describe("contribImports", () => {
  it("finds every way a module names a contrib app in an import", () => {
    const source = [
      "import django.contrib.sites",
      "from django.contrib.gis.db import models",
      "from django.contrib import admin, messages as flash",
      "from django.contrib import (",
      "    auth,",
      "    sitemaps,  # for the sitemap",
      ")",
      "    from django.contrib.flatpages.models import FlatPage",
      "x = 'django.contrib.redirects'  # a string, not an import",
    ].join("\n");
    expect([...contribImports(source)].sort()).toEqual(["admin", "auth", "flatpages", "gis", "messages", "sitemaps", "sites"]);
  });
});

describe("removableContribApps", () => {
  it("keeps an app that is not installed when a module that stays imports it", () => {
    const { site, djangoPackage } = sitePackages();
    const { removable, kept } = removableContribApps([site], djangoPackage, ["django.contrib.auth", "django.contrib.humanize"]);
    expect(kept).toEqual([{ app: "sites", importedBy: path.join(djangoPackage, "contrib", "auth", "forms.py") }]);
    expect(removable).toEqual(["admin", "admindocs", "gis"]);
  });

  it("lets an app go when only apps that go import it, and counts admin.py only with the admin installed", () => {
    const { site, djangoPackage } = sitePackages();
    expect(removableContribApps([site], djangoPackage, []).removable).toContain("admin");
    expect(removableContribApps([site], djangoPackage, ["django.contrib.admindocs"]).removable).not.toContain("admin");
  });

  it("keeps what the project's own code imports", () => {
    const { site, djangoPackage } = sitePackages();
    const project = tree(tempDir(), { "shop/views.py": "from django.contrib.gis.geos import Point\n" });
    const { removable, kept } = removableContribApps([site, project], djangoPackage, []);
    expect(removable).not.toContain("gis");
    expect(kept).toContainEqual({ app: "gis", importedBy: path.join(project, "shop", "views.py") });
  });
});

describe("pruneDjango", () => {
  it("removes unused apps, the admin's assets and the locales outside LANGUAGES", () => {
    const { site, djangoPackage } = sitePackages({ "django/contrib/sitemaps/views.py": "from django.contrib.admin.utils import quote\n" });
    const report = pruneDjango({ djangoPackage, installedApps: ["django.contrib.humanize", "django.contrib.sitemaps"], locales: ["en", "en_US"], databaseEngines: ["django.db.backends.sqlite3"] }, [site]);
    const contrib = path.join(djangoPackage, "contrib");
    expect(report.removedApps).toEqual(["admindocs", "gis"]);
    // sitemaps (installed) imports the admin, so its code stays; what only an installed admin uses goes.
    expect(existsSync(path.join(contrib, "admin", "__init__.py"))).toBe(true);
    expect(existsSync(path.join(contrib, "admin", "static"))).toBe(false);
    expect(existsSync(path.join(contrib, "admin", "templates"))).toBe(false);
    expect(existsSync(path.join(contrib, "sites", "shortcuts.py"))).toBe(true);
    expect(readdirSync(path.join(djangoPackage, "conf", "locale")).sort()).toEqual(["__init__.py", "en"]);
    expect(readdirSync(path.join(contrib, "humanize", "locale"))).toEqual(["en"]);
    expect(report.removedLocales).toBe(2);
  });

  it("keeps the admin whole when it is installed", () => {
    const { site, djangoPackage } = sitePackages();
    pruneDjango({ djangoPackage, installedApps: ["django.contrib.admin"], locales: ["en"], databaseEngines: ["django.db.backends.sqlite3"] }, [site]);
    expect(existsSync(path.join(djangoPackage, "contrib", "admin", "static", "admin", "css", "base.css"))).toBe(true);
    expect(existsSync(path.join(djangoPackage, "contrib", "admin", "templates"))).toBe(true);
  });

  it("removes the server databases' backends only when every database is SQLite", () => {
    const backends = { "django/db/backends/sqlite3/base.py": "", "django/db/backends/postgresql/base.py": "", "django/db/backends/mysql/base.py": "", "django/db/backends/oracle/base.py": "" };
    const sqliteOnly = sitePackages(backends);
    const report = pruneDjango({ djangoPackage: sqliteOnly.djangoPackage, installedApps: [], locales: ["en"], databaseEngines: ["django.db.backends.sqlite3", "django.db.backends.sqlite3"] }, [sqliteOnly.site]);
    expect(report.removedBackends).toEqual(["mysql", "oracle", "postgresql"]);
    expect(readdirSync(path.join(sqliteOnly.djangoPackage, "db", "backends"))).toEqual(["sqlite3"]);

    const withPostgres = sitePackages(backends);
    const kept = pruneDjango({ djangoPackage: withPostgres.djangoPackage, installedApps: [], locales: ["en"], databaseEngines: ["django.db.backends.sqlite3", "django.db.backends.postgresql"] }, [withPostgres.site]);
    expect(kept.removedBackends).toEqual([]);
    expect(readdirSync(path.join(withPostgres.djangoPackage, "db", "backends")).sort()).toEqual(["mysql", "oracle", "postgresql", "sqlite3"]);
  });
});

describe("removeCachesAndSources", () => {
  it("removes bytecode of any interpreter and translation sources, and keeps the compiled translations", () => {
    const bundle = tree(tempDir(), {
      "python/lib/python3.12/json/__init__.py": "",
      "python/lib/python3.12/json/__pycache__/__init__.cpython-39.pyc": "",
      "django/example_app/__pycache__/models.cpython-312.pyc": "",
      "django/locale/en/LC_MESSAGES/django.po": "",
      "django/locale/en/LC_MESSAGES/django.mo": "",
    });
    removeCachesAndSources(bundle);
    expect(existsSync(path.join(bundle, "python", "lib", "python3.12", "json", "__pycache__"))).toBe(false);
    expect(existsSync(path.join(bundle, "django", "example_app", "__pycache__"))).toBe(false);
    expect(readdirSync(path.join(bundle, "django", "locale", "en", "LC_MESSAGES"))).toEqual(["django.mo"]);
    expect(existsSync(path.join(bundle, "python", "lib", "python3.12", "json", "__init__.py"))).toBe(true);
  });
});
