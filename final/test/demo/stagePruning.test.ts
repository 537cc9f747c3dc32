/**
 * What the stage prunes from the demo's bundle: the optional contrib apps the
 * demo neither installs nor imports, and the translations outside its
 * LANGUAGES (English only).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import type { BundleManifest } from "../../src/backendRoot";
import { isolatedPythonEnv } from "../../scripts/stageBackend";

const staged = inject("stagedBundle");

describe.skipIf(!staged.bundleDir)("the demo's staged bundle", () => {
  const bundleDir = staged.bundleDir!;
  const manifest = () => JSON.parse(readFileSync(path.join(bundleDir, "manifest.json"), "utf8")) as BundleManifest;
  const djangoPackage = () => {
    const python = path.join(bundleDir, manifest().interpreter);
    return spawnSync(python, ["-c", "import django, os; print(os.path.dirname(django.__file__))"], { env: isolatedPythonEnv(), encoding: "utf8" }).stdout.trim();
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
});
