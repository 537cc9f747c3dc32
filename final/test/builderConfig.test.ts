/**
 * The electron-builder configuration as data: every file it names exists, each
 * platform gets the installers the chapter promises, the backend ships outside
 * the asar, and the fuses are set.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { FileSet, TargetConfiguration } from "electron-builder";
import { describe, expect, it } from "vitest";
import { builderConfig, chapterDir, installedElectronVersion, stagedBackendDir } from "../electron-builder.config";
import { projectPaths } from "../src/paths";
import project from "../src/project";

const config = builderConfig({ env: {} });
const resolve = (file: string) => path.resolve(chapterDir, file);

function targetNames(target: unknown): string[] {
  const list = (Array.isArray(target) ? target : [target]) as Array<string | TargetConfiguration>;
  return list.map((entry) => (typeof entry === "string" ? entry : entry.target));
}

describe("electron-builder configuration", () => {
  it("names only files and folders that exist in the chapter", () => {
    const named = [
      config.directories!.buildResources!,
      config.mac!.icon!,
      config.mac!.entitlements!,
      config.mac!.entitlementsInherit!,
      config.win!.icon!,
      config.linux!.icon!,
    ];
    for (const file of named) expect(existsSync(resolve(file)), `${file} should exist in ${chapterDir}`).toBe(true);
    expect(statSync(resolve(config.linux!.icon!)).isDirectory()).toBe(true);
  });

  it("takes the backend from where `npm run stage` puts it", () => {
    expect(stagedBackendDir).toBe(path.join(projectPaths(chapterDir).stageDir, "backend"));
  });

  it("puts the compiled main process and package.json into the asar, and nothing else of the chapter", () => {
    expect(config.asar).toBe(true);
    expect(config.files).toEqual(["dist/**/*", "package.json"]);
    const packageJson = JSON.parse(readFileSync(resolve("package.json"), "utf8")) as { main: string };
    expect(packageJson.main).toBe("dist/main.js");
    const buildOutDir = (JSON.parse(readFileSync(resolve("tsconfig.build.json"), "utf8")) as { compilerOptions: { outDir: string } }).compilerOptions.outDir;
    expect(buildOutDir).toBe("dist");
  });

  it("ships the staged backend as an extra resource named backend, outside the asar", () => {
    const backend = builderConfig({ backendDir: "/somewhere/backend", env: {} }).extraResources as FileSet[];
    expect(backend).toEqual([{ from: "/somewhere/backend", to: "backend" }]);
    expect(config.asarUnpack).toBeUndefined();
  });

  it("builds a DMG and a ZIP for macOS, NSIS and ZIP for Windows, AppImage and tar.gz for Linux", () => {
    expect(targetNames(config.mac!.target)).toEqual(["dmg", "zip"]);
    expect(targetNames(config.win!.target)).toEqual(["nsis", "zip"]);
    expect(targetNames(config.linux!.target)).toEqual(["AppImage", "tar.gz"]);
  });

  it("signs macOS builds with the hardened runtime and the entitlements Python needs", () => {
    expect(config.mac!.hardenedRuntime).toBe(true);
    const inherit = readFileSync(resolve(config.mac!.entitlementsInherit!), "utf8");
    for (const key of ["allow-jit", "allow-unsigned-executable-memory", "disable-library-validation"]) {
      expect(inherit).toMatch(new RegExp(`<key>com\\.apple\\.security\\.cs\\.${key}</key>\\s*<true/>`));
    }
    expect(readFileSync(resolve(config.mac!.entitlements!), "utf8")).toMatch(/<key>com\.apple\.security\.cs\.allow-jit<\/key>\s*<true\/>/);
  });

  it("notarizes only when a complete set of Apple credentials is in the environment", () => {
    expect(builderConfig({ env: {} }).mac!.notarize).toBe(false);
    expect(builderConfig({ env: { APPLE_ID: "a@example.com", APPLE_APP_SPECIFIC_PASSWORD: "x", APPLE_TEAM_ID: "T" } }).mac!.notarize).toBe(true);
    expect(builderConfig({ env: { APPLE_API_KEY: "key.p8", APPLE_API_KEY_ID: "K", APPLE_API_ISSUER: "I" } }).mac!.notarize).toBe(true);
    expect(builderConfig({ env: { APPLE_ID: "a@example.com" } }).mac!.notarize).toBe(false);
  });

  it("sets the Electron fuses that close the ways around the app's own code", () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it("packages the Electron version npm installed", () => {
    const installed = JSON.parse(readFileSync(require.resolve("electron/package.json"), "utf8")) as { version: string };
    expect(config.electronVersion).toBe(installed.version);
    expect(installedElectronVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("names artifacts without spaces, by version, platform and architecture", () => {
    expect(config.artifactName).toBe(`${project.executableName}-\${version}-\${os}-\${arch}.\${ext}`);
    expect(project.executableName).toMatch(/^[a-z0-9-]+$/);
    expect(config.linux!.executableName).toBe(project.executableName);
  });
});
