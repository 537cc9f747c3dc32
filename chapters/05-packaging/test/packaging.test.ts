/**
 * The packaged app's layout, built for real on this machine: electron-builder
 * `--dir` with this chapter's configuration, a staged backend and a placeholder
 * Electron distribution (the real binary downloads from GitHub). From the
 * produced folder, the main process's backend resolver finds the bundled
 * interpreter and manage.py, and the backend starts and answers /health/.
 *
 * What only the packaging workflow proves: the real Electron binary starting
 * the app, the installers (DMG, ZIP, NSIS, AppImage, tar.gz), signing and
 * notarization, and the macOS and Windows layouts.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { extractFile, listPackage } from "@electron/asar";
import { FuseV1Options, getCurrentFuseWire } from "@electron/fuses";
import { build } from "electron-builder";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { builderConfig, chapterDir } from "../electron-builder.config";
import { startBackendOnFreePort } from "../src/backend";
import { contractEnv, resolveBackend } from "../src/backendRoot";
import { waitForHealth } from "../src/readiness";
import { TOKEN_HEADER, generateToken } from "../src/token";
import { placeholderElectron } from "../scripts/placeholderElectron";
import { tempDir, waitUntilGone } from "./helpers";

// Staged once per test run by test/stagedBundle.ts (vitest's global setup), from a local runtime archive.
const staged = inject("stagedBundle");
const skipReason =
  process.platform !== "linux"
    ? "the placeholder Electron distribution is the Linux layout; the packaging workflow builds the macOS and Windows apps"
    : staged.skipReason;
if (skipReason) console.log(`Skipping the packaged-layout tests: ${skipReason}.`);

/**
 * Every file and symlink below `dir` with its content hash and executable bit.
 * Folders are left out: electron-builder does not copy empty ones, and Python never needs them.
 */
function bundleFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      const relative = path.relative(dir, file).split(path.sep).join("/");
      if (entry.isSymbolicLink()) return `${relative} -> ${readlinkSync(file)}`;
      const executable = (statSync(file).mode & 0o111) !== 0 ? "x" : "-";
      return `${relative} ${executable} ${createHash("sha256").update(readFileSync(file)).digest("hex")}`;
    })
    .sort();
}

describe.skipIf(!!skipReason)("the packaged app built by electron-builder --dir", () => {
  const work = tempDir("dds-packaging-");
  const bundleDir = staged.bundleDir!;
  let appOutDir: string;
  let resourcesDir: string;

  beforeAll(async () => {
    // `npm run pack` compiles first; so does this test, into the chapter's dist/ as `npm run build` does.
    const compile = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: chapterDir, encoding: "utf8" });
    expect(compile.status, compile.stdout + compile.stderr).toBe(0);
    await build({
      projectDir: chapterDir,
      dir: true,
      publish: "never",
      config: {
        ...builderConfig({ backendDir: bundleDir, env: {} }),
        electronDist: placeholderElectron(path.join(work, "electron-dist")),
        directories: { output: path.join(work, "out"), buildResources: "build" },
      },
    });
    appOutDir = path.join(work, "out", "linux-unpacked");
    resourcesDir = path.join(appOutDir, "resources");
  }, 300_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("lays out the executable, app.asar and the backend beside it", () => {
    for (const file of ["flying-stable", "resources/app.asar", "resources/backend/manifest.json"]) {
      expect(existsSync(path.join(appOutDir, file)), file).toBe(true);
    }
  });

  it("puts the compiled shell and its production dependencies into app.asar, and no sources or backend", () => {
    const entries = listPackage(path.join(resourcesDir, "app.asar"), { isPack: false }).map((entry) => entry.split(path.sep).join("/"));
    expect(entries).toContain("/dist/main.js");
    expect(entries).toContain("/dist/backendRoot.js");
    expect(entries).toContain("/package.json");
    // Only `dependencies` ship: chokidar (and what it needs), not the stage's tar, which is a devDependency.
    expect(entries).toContain("/node_modules/chokidar/package.json");
    expect(entries.filter((entry) => /^\/node_modules\/(tar|electron|electron-builder|vitest)\//.test(entry))).toEqual([]);
    expect(entries.filter((entry) => /^\/(src|test|scripts|build|backend)\//.test(entry) || entry.endsWith(".ts") && !entry.endsWith(".d.ts"))).toEqual([]);
    expect(entries.some((entry) => entry.includes("python"))).toBe(false);
  });

  it("names the app Flying Stable, so its data lives in a folder of that name", () => {
    const packageJson = JSON.parse(extractFile(path.join(resourcesDir, "app.asar"), "package.json").toString("utf8")) as { name: string; productName?: string; main: string };
    expect(packageJson.productName).toBe("Flying Stable");
    expect(packageJson.name).toBe("flying-stable");
    expect(packageJson.main).toBe("dist/main.js");
  });

  it("copies every file of the staged backend unchanged, outside the asar", () => {
    expect(bundleFiles(path.join(resourcesDir, "backend"))).toEqual(bundleFiles(bundleDir));
  });

  it("flips the Electron fuses in the packaged executable", async () => {
    const wire = await getCurrentFuseWire(path.join(appOutDir, "flying-stable"));
    const state = (fuse: FuseV1Options) => String.fromCharCode(wire[fuse] as number);
    expect(state(FuseV1Options.RunAsNode)).toBe("0");
    expect(state(FuseV1Options.EnableNodeOptionsEnvironmentVariable)).toBe("0");
    expect(state(FuseV1Options.EnableNodeCliInspectArguments)).toBe("0");
    expect(state(FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe("1");
    expect(state(FuseV1Options.OnlyLoadAppFromAsar)).toBe("1");
    expect(state(FuseV1Options.EnableCookieEncryption)).toBe("1");
    expect(state(FuseV1Options.GrantFileProtocolExtraPrivileges)).toBe("0");
  });

  it("resolves the bundled interpreter and manage.py from process.resourcesPath", () => {
    const root = resolveBackend({ isPackaged: true, resourcesPath: resourcesDir });
    expect(root.layout).toBe("packaged");
    expect(root.bundleDir).toBe(path.join(resourcesDir, "backend"));
    expect(root.python.startsWith(path.join(resourcesDir, "backend", "python") + path.sep)).toBe(true);
    expect(root.managePy).toBe(path.join(resourcesDir, "backend", "django", "manage.py"));
    expect(existsSync(root.python) && existsSync(root.managePy)).toBe(true);
  });

  it("starts the backend from the packaged layout the way the shell does: /health/ answers with the session token", async () => {
    const root = resolveBackend({ isPackaged: true, resourcesPath: resourcesDir });
    const appDataDir = path.join(work, "app-data");
    const token = generateToken();
    const backend = await startBackendOnFreePort({
      python: root.python,
      managePy: root.managePy,
      env: contractEnv(root, appDataDir, token),
      logFile: path.join(appDataDir, "logs", "backend.log"),
    });
    try {
      await waitForHealth(backend.url, { exited: backend.exited, headers: { [TOKEN_HEADER]: token } });
      const health = await fetch(new URL("health/", backend.url), { headers: { [TOKEN_HEADER]: token } });
      expect(await health.json()).toEqual({ status: "ok" });
      expect((await fetch(new URL("health/", backend.url))).status).toBe(403);
      expect(existsSync(path.join(appDataDir, "app.sqlite3"))).toBe(true);
    } finally {
      await backend.stop();
    }
    await waitUntilGone([backend.child.pid!], 2_000);
    // Serving wrote nothing into the bundle: an installed app folder may be read-only.
    expect(bundleFiles(path.join(resourcesDir, "backend"))).toEqual(bundleFiles(bundleDir));
  });
});
