import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { resolveBackendOrExit } from "../scripts/resolveBackendOrExit";
import { contractEnv, LAYOUT_VARIABLE, resolveBackend, type BundleManifest } from "../src/backendRoot";
import { devPaths, npmRun } from "../src/paths";
import project from "../src/project";
import { tempDir } from "./helpers";

const manifest: BundleManifest = {
  pythonVersion: "3.12.12",
  interpreter: process.platform === "win32" ? "python/python.exe" : "python/bin/python3",
  managePy: "django/manage.py",
  settingsModule: project.settings.packaged,
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

/** A shell folder with a stage folder where project.ts's stageDir points, and nothing staged yet. */
function fakeShell(): string {
  const shellDir = path.join(tempDir(), "shell", "inside");
  mkdirSync(path.resolve(shellDir, project.stageDir), { recursive: true });
  return shellDir;
}

describe("resolveBackend", () => {
  it("development: the project's virtualenv, its manage.py, the dev settings and dev app data from project.ts", () => {
    const root = resolveBackend({ isPackaged: false, env: {} });
    const paths = devPaths();
    expect(root).toEqual({
      layout: "development",
      python: paths.python,
      managePy: paths.managePy,
      djangoDir: paths.djangoDir,
      settingsModule: project.settings.development,
      splashFile: paths.splashFile,
      devAppDataDir: paths.appDataDir,
    });
  });

  it("staged: backend/ in project.ts's stage folder, read through its manifest", () => {
    const shellDir = fakeShell();
    const bundleDir = fakeBundle(path.resolve(shellDir, project.stageDir, "backend"));
    const root = resolveBackend({ isPackaged: false, env: { [LAYOUT_VARIABLE]: "staged" }, shellDir });
    expect(root).toEqual({
      layout: "staged",
      python: path.join(bundleDir, manifest.interpreter),
      managePy: path.join(bundleDir, "django", "manage.py"),
      djangoDir: path.join(bundleDir, "django"),
      settingsModule: project.settings.packaged,
      splashFile: path.join(bundleDir, "django", project.splash),
      bundleDir,
    });
  });

  it("staged without a stage: says which command builds it", () => {
    expect(npmRun("stage")).toBe(project.npmWorkspace ? `npm run stage -w ${project.npmWorkspace}` : "npm run stage");
    expect(() => resolveBackend({ isPackaged: false, env: { [LAYOUT_VARIABLE]: "staged" }, shellDir: fakeShell() })).toThrow(
      /The backend bundle is missing: .*manifest\.json does not exist\./,
    );
    expect(() => resolveBackend({ isPackaged: false, env: { [LAYOUT_VARIABLE]: "staged" }, shellDir: fakeShell() })).toThrow(`Run \`${npmRun("stage")}\` first`);
  });

  it("the scripts' --staged without a stage: prints what to do and exits with code 1, no stack trace", () => {
    const errors: string[] = [];
    const printed = vi.spyOn(console, "error").mockImplementation((text: string) => void errors.push(text));
    const exited = vi.spyOn(process, "exit").mockImplementation((code) => {
      throw new Error(`exit ${code}`);
    });
    try {
      expect(() => resolveBackendOrExit(true, fakeShell())).toThrow("exit 1");
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/The backend bundle is missing: .*manifest\.json does not exist\./);
      expect(errors[0]).toContain(`Run \`${npmRun("stage")}\` first`);
      expect(errors[0]).not.toMatch(/^\s+at /m);
      const shellDir = fakeShell();
      fakeBundle(path.resolve(shellDir, project.stageDir, "backend"));
      expect(resolveBackendOrExit(true, shellDir).layout).toBe("staged");
      expect(resolveBackendOrExit(false)).toEqual(resolveBackend({ isPackaged: false, env: {} }));
      expect(exited).toHaveBeenCalledTimes(1);
    } finally {
      printed.mockRestore();
      exited.mockRestore();
    }
  });

  it("packaged: the backend folder in the app's resources, and no repository needed", () => {
    const resources = tempDir();
    const bundleDir = fakeBundle(path.join(resources, "backend"));
    const root = resolveBackend({ isPackaged: true, resourcesPath: resources, env: { [LAYOUT_VARIABLE]: "staged" }, shellDir: tempDir() });
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
      DJANGO_SETTINGS_MODULE: project.settings.packaged,
      DESKTOP_DJANGO_HOST: "127.0.0.1",
      DESKTOP_DJANGO_APP_DATA_DIR: "/data",
      DESKTOP_DJANGO_AUTH_TOKEN: "t",
      DESKTOP_DJANGO_BUNDLE_DIR: bundleDir,
    });
    expect(contractEnv(resolveBackend({ isPackaged: false, env: {} }), "/data", "t")).not.toHaveProperty("DESKTOP_DJANGO_BUNDLE_DIR");
  });
});
