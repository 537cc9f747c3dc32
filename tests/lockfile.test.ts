/**
 * package-lock.json must name the prebuilt binaries of every platform CI and
 * learners use, not only the one it was written on. npm sometimes drops the
 * other platforms' optional dependencies from a lockfile (npm/cli#4828); `npm ci`
 * on a Mac then installs no `@rollup/rollup-darwin-arm64` and VitePress fails to
 * load. Every package whose optional dependencies are per-platform builds must
 * have a locked entry for each target below.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

interface LockedPackage {
  version?: string;
  optionalDependencies?: Record<string, string>;
}

const lock = JSON.parse(readFileSync(path.join(repoRoot, "package-lock.json"), "utf8")) as { packages: Record<string, LockedPackage> };

/** The platforms the workflows run on: GitHub's macOS (both chips), Windows and Linux runners. */
const TARGETS = [
  { os: "darwin", cpu: "arm64" },
  { os: "darwin", cpu: "x64" },
  { os: "win32", cpu: "x64" },
  { os: "linux", cpu: "x64" },
];

const PLATFORM_NAME = /(darwin|win32|linux)-/;

/** Where Node would find `name` when required from the package installed at `from` (nested node_modules first). */
function resolveLocked(packages: Record<string, LockedPackage>, from: string, name: string): string | undefined {
  let scope = from;
  for (;;) {
    const candidate = scope ? `${scope}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!scope) return undefined;
    const parent = scope.lastIndexOf("/node_modules/");
    scope = parent === -1 ? "" : scope.slice(0, parent);
  }
}

/** For each package with per-platform optional builds, the targets whose build is not in the lockfile. */
function missingPlatformBuilds(packages: Record<string, LockedPackage>): string[] {
  const missing: string[] = [];
  for (const [location, pkg] of Object.entries(packages)) {
    const builds = Object.keys(pkg.optionalDependencies ?? {}).filter((name) => PLATFORM_NAME.test(name));
    if (!builds.length) continue;
    for (const { os, cpu } of TARGETS) {
      const forTarget = builds.filter((name) => name.includes(`${os}-${cpu}`));
      if (!forTarget.some((name) => resolveLocked(packages, location, name))) {
        missing.push(`${location}: no locked ${os}-${cpu} build (${forTarget.join(", ") || "none declared"})`);
      }
    }
  }
  return missing;
}

describe("package-lock.json", () => {
  it("locks every platform's prebuilt binary for rollup, esbuild and the other native packages", () => {
    const withBuilds = Object.entries(lock.packages).filter(([, pkg]) => Object.keys(pkg.optionalDependencies ?? {}).some((name) => PLATFORM_NAME.test(name)));
    expect(withBuilds.map(([location]) => location)).toEqual(expect.arrayContaining(["node_modules/rollup", "node_modules/esbuild"]));
    expect(missingPlatformBuilds(lock.packages)).toEqual([]);
  });

  it("notices a lockfile written on Linux alone", () => {
    const linuxOnly: Record<string, LockedPackage> = {
      "node_modules/rollup": { version: "4.0.0", optionalDependencies: { "@rollup/rollup-darwin-arm64": "4.0.0", "@rollup/rollup-linux-x64-gnu": "4.0.0", "@rollup/rollup-win32-x64-msvc": "4.0.0" } },
      "node_modules/@rollup/rollup-linux-x64-gnu": { version: "4.0.0" },
    };
    expect(missingPlatformBuilds(linuxOnly)).toEqual([
      "node_modules/rollup: no locked darwin-arm64 build (@rollup/rollup-darwin-arm64)",
      "node_modules/rollup: no locked darwin-x64 build (none declared)",
      "node_modules/rollup: no locked win32-x64 build (@rollup/rollup-win32-x64-msvc)",
    ]);
  });

  it("finds a build nested under the package that needs it", () => {
    const nested: Record<string, LockedPackage> = {
      "node_modules/vitepress/node_modules/esbuild": { optionalDependencies: { "@esbuild/linux-x64": "0.21.0" } },
      "node_modules/vitepress/node_modules/@esbuild/linux-x64": {},
    };
    expect(resolveLocked(nested, "node_modules/vitepress/node_modules/esbuild", "@esbuild/linux-x64")).toBe("node_modules/vitepress/node_modules/@esbuild/linux-x64");
  });
});
