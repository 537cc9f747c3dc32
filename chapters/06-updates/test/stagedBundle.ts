/**
 * Vitest global setup: stages a backend bundle once for the whole suite, the
 * way an air-gapped build machine does. It builds a python-build-standalone
 * shaped archive from this machine's Debian Python and a wheelhouse of
 * django/requirements.txt (scripts/localRuntime.ts), then runs the real stage
 * with --python-archive and --wheelhouse.
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
import { djangoProjectDigest, stageBackend } from "../scripts/stageBackend";
import { devPaths, findRepoRoot } from "../src/paths";

export interface StagedBundle {
  /** Why no bundle could be staged on this machine; the tests that need one skip with it. */
  skipReason?: string;
  bundleDir?: string;
  archive?: string;
  archiveSha256?: string;
  wheelhouse?: string;
  /** What the stage printed when it built this bundle. */
  stageLog?: string[];
}

declare module "vitest" {
  export interface ProvidedContext {
    stagedBundle: StagedBundle;
  }
}

const ONE_DAY_MS = 24 * 60 * 60 * 1000;

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

/** Bundles staged for other inputs, left unused for a day, are removed. */
function removeStaleBundles(dir: string, keep: string): void {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (full !== keep && !full.startsWith(keep) && Date.now() - statSync(full).mtimeMs > ONE_DAY_MS) rmSync(full, { recursive: true, force: true });
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const skipReason = localRuntimeUnavailable();
  if (skipReason) {
    project.provide("stagedBundle", { skipReason: `no local runtime archive can be built here: ${skipReason}` });
    return;
  }
  const repoRoot = findRepoRoot(__dirname);
  const cacheDir = path.join(repoRoot, ".stage", "cache");
  const archive = await buildLocalRuntimeArchive(cacheDir);
  const requirements = path.join(repoRoot, "django", "requirements.txt");
  const wheelhouse = buildWheelhouse(cacheDir, requirements, devPaths(repoRoot).python);
  const key = inputsKey([
    archive.sha256,
    readdirSync(wheelhouse).sort().join(","),
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
      pythonArchive: archive.file,
      pythonSha256: archive.sha256,
      wheelhouse,
      log: (line) => stageLog.push(line),
    });
    writeFileSync(logFile, stageLog.join("\n"));
  }
  removeStaleBundles(testStage, bundleDir);
  project.provide("stagedBundle", {
    bundleDir,
    archive: archive.file,
    archiveSha256: archive.sha256,
    wheelhouse,
    stageLog: readFileSync(logFile, "utf8").split("\n"),
  });
}
