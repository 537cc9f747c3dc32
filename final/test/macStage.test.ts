/**
 * The Intel Mac build: its stage takes the x86_64 runtime of the pinned
 * release, and only an Intel Mac packages the result. Staged here from this
 * machine's local archive placed in the cache under the x86_64 macOS name.
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { checkPackagingInputs } from "../scripts/package";
import { releaseAsset } from "../scripts/pythonRelease";
import { stageBackend } from "../scripts/stageBackend";
import { tempDir } from "./helpers";

const staged = inject("stagedBundle");

describe.skipIf(!staged.bundleDir || staged.downloaded)("staging for an Intel Mac", () => {
  it("takes the x86_64 runtime of the pinned release and records darwin-x64, which only an Intel Mac packages", async () => {
    const intelMac = { platform: "darwin", arch: "x64" };
    const asset = releaseAsset(intelMac.platform, intelMac.arch);
    expect(asset.name).toContain("x86_64-apple-darwin");
    const cacheDir = tempDir();
    copyFileSync(staged.archive!, path.join(cacheDir, asset.name));
    writeFileSync(path.join(cacheDir, `${asset.name}.sha256`), `${staged.archiveSha256}\n`);

    const lines: string[] = [];
    const work = tempDir();
    const bundleDir = path.join(work, "backend");
    const { manifest } = await stageBackend({ bundleDir, cacheDir, wheelhouse: staged.wheelhouse, ...intelMac, log: (line) => lines.push(line) });
    expect(lines).toContain(`Using the cached ${asset.name}`);
    expect(manifest).toMatchObject({ ...intelMac, runtime: { kind: "python-build-standalone", asset: asset.name } });

    const appDir = path.join(work, "app");
    mkdirSync(path.join(appDir, "dist"), { recursive: true });
    writeFileSync(path.join(appDir, "dist", "main.js"), "");
    expect(() => checkPackagingInputs(bundleDir, appDir, intelMac)).not.toThrow();
    expect(() => checkPackagingInputs(bundleDir, appDir, { platform: "darwin", arch: "arm64" })).toThrow("was built for darwin-x64, but this machine packages for darwin-arm64");
  }, 300_000);
});
