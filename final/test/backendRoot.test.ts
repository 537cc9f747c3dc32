import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { contractEnv, LAYOUT_VARIABLE, resolveBackend, type BundleManifest } from "../src/backendRoot";
import { devPaths, findRepoRoot } from "../src/paths";
import { tempDir } from "./helpers";

const manifest: BundleManifest = {
  pythonVersion: "3.12.12",
  interpreter: process.platform === "win32" ? "python/python.exe" : "python/bin/python3",
  managePy: "django/manage.py",
  settingsModule: "desktop_django_starter.settings.packaged",
  staticDir: "static",
  runtime: { kind: "python-build-standalone", tag: "20260211", asset: "cpython-3.12.12+20260211-x86_64-unknown-linux-gnu-install_only.tar.gz", sha256: "0".repeat(64) },
  platform: process.platform,
  arch: process.arch,
  digest: "sha256:0",
};

/** A bundle folder with the files the manifest names (empty stand-ins). */
function fakeBundle(bundleDir: string, files = [manifest.interpreter, manifest.managePy]): string {
  for (const file of files) {
    mkdirSync(path.dirname(path.join(bundleDir, file)), { recursive: true });
    writeFileSync(path.join(bundleDir, file), "");
  }
  writeFileSync(path.join(bundleDir, "manifest.json"), JSON.stringify(manifest));
  return bundleDir;
}

/** A folder that looks like the repository root to findRepoRoot. */
function fakeRepo(): string {
  const root = tempDir();
  mkdirSync(path.join(root, "django"));
  writeFileSync(path.join(root, "django", "manage.py"), "");
  return root;
}

describe("resolveBackend", () => {
  it("development: django/.venv's Python, the repository's manage.py, the dev settings, django/.dev-data", () => {
    const root = resolveBackend({ isPackaged: false, env: {} });
    const paths = devPaths();
    expect(root).toEqual({
      layout: "development",
      python: paths.python,
      managePy: paths.managePy,
      djangoDir: paths.djangoDir,
      settingsModule: "desktop_django_starter.settings.dev",
      splashFile: paths.splashFile,
      devAppDataDir: paths.appDataDir,
    });
  });

  it("staged: .stage/backend at the repository root, read through its manifest", () => {
    const repo = fakeRepo();
    const bundleDir = fakeBundle(path.join(repo, ".stage", "backend"));
    const root = resolveBackend({ isPackaged: false, env: { [LAYOUT_VARIABLE]: "staged" }, start: path.join(repo, "django") });
    expect(root).toEqual({
      layout: "staged",
      python: path.join(bundleDir, manifest.interpreter),
      managePy: path.join(bundleDir, "django", "manage.py"),
      djangoDir: path.join(bundleDir, "django"),
      settingsModule: "desktop_django_starter.settings.packaged",
      splashFile: path.join(bundleDir, "django", "desktop_runtime", "templates", "desktop_runtime", "splash.html"),
      bundleDir,
    });
  });

  it("staged without a stage: says which command builds it, in this workspace", () => {
    const workspace = path.relative(findRepoRoot(), path.resolve(__dirname, "..")).split(path.sep).join("/");
    expect(() => resolveBackend({ isPackaged: false, env: { [LAYOUT_VARIABLE]: "staged" }, start: fakeRepo() })).toThrow(`npm run stage -w ${workspace}\``);
    expect(() => resolveBackend({ isPackaged: false, env: { [LAYOUT_VARIABLE]: "staged" }, start: fakeRepo() })).toThrow(
      /The backend bundle is missing: .*manifest\.json does not exist\.\nRun `npm run stage -w [\w./-]+` first/,
    );
  });

  it("packaged: the backend folder in the app's resources, and no repository needed", () => {
    const resources = tempDir();
    const bundleDir = fakeBundle(path.join(resources, "backend"));
    const root = resolveBackend({ isPackaged: true, resourcesPath: resources, env: { [LAYOUT_VARIABLE]: "staged" }, start: tempDir() });
    expect(root.layout).toBe("packaged");
    expect(root.bundleDir).toBe(bundleDir);
    expect(root.python).toBe(path.join(bundleDir, manifest.interpreter));
    expect(root.devAppDataDir).toBeUndefined();
  });

  it("packaged without a backend: tells the learner to stage before packaging", () => {
    expect(() => resolveBackend({ isPackaged: true, resourcesPath: tempDir() })).toThrow(/run `npm run stage` before packaging/);
  });

  it("names the file an incomplete bundle is missing", () => {
    const resources = tempDir();
    fakeBundle(path.join(resources, "backend"), [manifest.managePy]);
    expect(() => resolveBackend({ isPackaged: true, resourcesPath: resources })).toThrow(/is incomplete: .*python.* is missing/);
  });

  it("reports a manifest that is not JSON", () => {
    const resources = tempDir();
    fakeBundle(path.join(resources, "backend"));
    writeFileSync(path.join(resources, "backend", "manifest.json"), "{ not json");
    expect(() => resolveBackend({ isPackaged: true, resourcesPath: resources })).toThrow(/manifest\.json is not valid JSON/);
  });
});

describe("contractEnv", () => {
  it("adds DESKTOP_DJANGO_BUNDLE_DIR for a bundle only", () => {
    const resources = tempDir();
    const bundleDir = fakeBundle(path.join(resources, "backend"));
    expect(contractEnv(resolveBackend({ isPackaged: true, resourcesPath: resources }), "/data", "t")).toEqual({
      DJANGO_SETTINGS_MODULE: "desktop_django_starter.settings.packaged",
      DESKTOP_DJANGO_HOST: "127.0.0.1",
      DESKTOP_DJANGO_APP_DATA_DIR: "/data",
      DESKTOP_DJANGO_AUTH_TOKEN: "t",
      DESKTOP_DJANGO_BUNDLE_DIR: bundleDir,
    });
    expect(contractEnv(resolveBackend({ isPackaged: false, env: {} }), "/data", "t")).not.toHaveProperty("DESKTOP_DJANGO_BUNDLE_DIR");
  });
});
