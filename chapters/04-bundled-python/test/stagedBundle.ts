/**
 * Vitest global setup: stages a backend bundle once for the whole suite. On
 * Linux it goes the way an air-gapped build machine does: it builds a
 * python-build-standalone shaped archive from this machine's Debian Python and
 * a wheelhouse of django/requirements.txt (scripts/localRuntime.ts), then runs
 * the real stage with --python-archive and --wheelhouse. Elsewhere (macOS and
 * Windows in CI) it stages the pinned runtime, downloaded and verified.
 *
 * The bundle lands in .stage/test/backend-<key>, where the key covers every
 * input (archive, wheels, Django code, stage scripts), so an unchanged tree
 * reuses it and the suite stays fast. Tests read its location with
 * inject("stagedBundle").
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { buildLocalRuntimeArchive, buildWheelhouse, localRuntimeUnavailable } from "../scripts/localRuntime";
import { releaseAsset } from "../scripts/pythonRelease";
import { cachedRuntimeArchive } from "../scripts/runtimeArchive";
import { djangoProjectDigest, stageBackend } from "../scripts/stageBackend";
import { devPaths, findRepoRoot } from "../src/paths";

export interface StagedBundle {
  /** Why no bundle could be staged on this machine; the tests that need one skip with it. */
  skipReason?: string;
  bundleDir?: string;
  archive?: string;
  archiveSha256?: string;
  wheelhouse?: string;
  /** True when the runtime is the real python-build-standalone download rather than a local archive. */
  downloaded?: boolean;
  /** What the stage printed when it built this bundle. */
  stageLog?: string[];
}

declare module "vitest" {
  export interface ProvidedContext {
    stagedBundle: StagedBundle;
  }
}

const ONE_HOUR_MS = 60 * 60 * 1000;

function inputsKey(parts: string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(`${part}\n`);
  return hash.digest("hex").slice(0, 16);
}

function scriptsDigest(dir: string): string {
  const hash = createHash("sha256");
  for (const name of readdirSync(dir).sort()) hash.update(name).update(readFileSync(path.join(dir, name)));
  return hash.digest("hex");
}

/** Bundles staged for other inputs an hour ago or more are removed. */
function removeStaleBundles(dir: string, keep: string): void {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (full !== keep && !full.startsWith(keep) && Date.now() - statSync(full).mtimeMs > ONE_HOUR_MS) rmSync(full, { recursive: true, force: true });
  }
}

interface RuntimeInputs {
  archive: { file: string; sha256: string };
  /** Set for the offline path; a downloaded runtime installs from the package index. */
  wheelhouse?: string;
  downloaded: boolean;
}

/**
 * The offline path where this machine can build a local archive (Linux with
 * pyenv's Python 3.12+); elsewhere the real download of the pinned runtime, which
 * works in GitHub Actions. When neither works, the reason.
 */
async function runtimeInputs(repoRoot: string, cacheDir: string): Promise<RuntimeInputs | string> {
  const localUnavailable = localRuntimeUnavailable();
  if (!localUnavailable) {
    const archive = await buildLocalRuntimeArchive(cacheDir);
    const wheelhouse = buildWheelhouse(cacheDir, path.join(repoRoot, "django", "requirements.txt"), devPaths(repoRoot).python);
    return { archive, wheelhouse, downloaded: false };
  }
  try {
    const archive = await cachedRuntimeArchive(releaseAsset(process.platform, process.arch), cacheDir, () => undefined, () => undefined);
    return { archive, downloaded: true };
  } catch (error) {
    return `no local runtime archive can be built here (${localUnavailable}), and the pinned runtime could not be downloaded (${(error as Error).message.split("\n")[0]})`;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const repoRoot = findRepoRoot(__dirname);
  const cacheDir = path.join(repoRoot, ".stage", "cache");
  const inputs = await runtimeInputs(repoRoot, cacheDir);
  if (typeof inputs === "string") {
    console.log(`Skipping the tests that run a staged bundle: ${inputs}.`);
    project.provide("stagedBundle", { skipReason: inputs });
    return;
  }
  const key = inputsKey([
    inputs.archive.sha256,
    inputs.wheelhouse ? readdirSync(inputs.wheelhouse).sort().join(",") : "package index",
    djangoProjectDigest(path.join(repoRoot, "django")),
    scriptsDigest(path.join(__dirname, "..", "scripts")),
  ]);
  const testStage = path.join(repoRoot, ".stage", "test");
  const bundleDir = path.join(testStage, `backend-${key}`);
  const logFile = `${bundleDir}.log`;
  if (!existsSync(path.join(bundleDir, "manifest.json")) || !existsSync(logFile)) {
    const stageLog: string[] = [];
    await stageBackend({
      repoRoot,
      bundleDir,
      cacheDir,
      // A downloaded runtime stages the way `npm run stage` does, from the cache; a local one through --python-archive.
      ...(inputs.downloaded ? {} : { pythonArchive: inputs.archive.file, pythonSha256: inputs.archive.sha256 }),
      wheelhouse: inputs.wheelhouse,
      log: (line) => stageLog.push(line),
    });
    writeFileSync(logFile, stageLog.join("\n"));
  }
  removeStaleBundles(testStage, bundleDir);
  project.provide("stagedBundle", {
    bundleDir,
    archive: inputs.archive.file,
    archiveSha256: inputs.archive.sha256,
    wheelhouse: inputs.wheelhouse,
    downloaded: inputs.downloaded,
    stageLog: readFileSync(logFile, "utf8").split("\n"),
  });
}
