/**
 * What `npm run pack` and `npm run dist` check before electron-builder runs:
 * each missing input is named together with the command that provides it.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { npmRun } from "../src/paths";
import type { BundleManifest } from "../src/backendRoot";
import { checkPackagingInputs, checkRuntimeToShip, electronDistFor } from "../scripts/package";
import { tempDir } from "./helpers";

describe("checkPackagingInputs", () => {
  const work = tempDir("dds-package-inputs-");
  const appDir = path.join(work, "app");
  const backendDir = path.join(work, "backend");
  const linux = { platform: "linux", arch: "x64" };
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("asks for `npm run build` when the main process is not compiled", () => {
    expect(() => checkPackagingInputs(backendDir, appDir, linux)).toThrow(`Run \`${npmRun("build")}\` first.`);
  });

  it("asks for `npm run stage` when no backend is staged", () => {
    mkdirSync(path.join(appDir, "dist"), { recursive: true });
    writeFileSync(path.join(appDir, "dist", "main.js"), "");
    expect(() => checkPackagingInputs(backendDir, appDir, linux)).toThrow(`Run \`${npmRun("stage")}\` first`);
  });

  it("refuses a backend staged for another platform", () => {
    mkdirSync(backendDir, { recursive: true });
    writeFileSync(path.join(backendDir, "manifest.json"), JSON.stringify({ platform: "darwin", arch: "arm64" }));
    expect(() => checkPackagingInputs(backendDir, appDir, linux)).toThrow("was built for darwin-arm64, but this machine packages for linux-x64");
  });

  it("passes when both are there and match this machine", () => {
    writeFileSync(path.join(backendDir, "manifest.json"), JSON.stringify(linux));
    expect(() => checkPackagingInputs(backendDir, appDir, linux)).not.toThrow();
  });
});

describe("electronDistFor", () => {
  const work = tempDir("dds-electron-dist-");
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("offline on Linux, builds a placeholder that carries Electron's fuse wire for `npm run pack`", () => {
    const dist = electronDistFor({ dir: true, placeholder: true }, "linux");
    expect(dist).toBeDefined();
    const binary = readFileSync(path.join(dist!, "electron"));
    expect(binary.includes(Buffer.from("dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX"))).toBe(true);
    rmSync(dist!, { recursive: true, force: true });
  });

  it("refuses the placeholder for installers, off Linux, and next to --electron-dist", () => {
    expect(() => electronDistFor({ dir: false, placeholder: true }, "linux")).toThrow("builds the unpacked app only");
    expect(() => electronDistFor({ dir: true, placeholder: true }, "darwin")).toThrow("Linux's Electron binary only");
    expect(() => electronDistFor({ dir: true, placeholder: true, electronDist: "x" }, "linux")).toThrow("not both");
  });

  it("reads --electron-dist relative to the folder the command was typed in, and downloads without either", () => {
    expect(electronDistFor({ dir: true, placeholder: false, electronDist: "electron.zip" }, "linux", work)).toBe(path.join(work, "electron.zip"));
    expect(electronDistFor({ dir: false, placeholder: false }, "linux")).toBeUndefined();
  });
});

describe("checkRuntimeToShip", () => {
  let manifest: Pick<BundleManifest, "runtime">;
  const stage = (runtime: BundleManifest["runtime"]) => (manifest = { runtime });

  it("refuses installers around this machine's own Python unless told they are for this machine only, and names the way out", () => {
    stage({ kind: "local archive", name: "cpython-3.12-local-abc-install_only_stripped.tar.gz", sha256: "0" });
    expect(() => checkRuntimeToShip(manifest, true, false)).toThrow(/local archive \(cpython-3\.12-local-abc-install_only_stripped\.tar\.gz\)[\s\S]*--python-archive[\s\S]*--allow-local-runtime/);
    expect(checkRuntimeToShip(manifest, true, true)).toEqual([expect.stringContaining("for this machine only")]);
    // The unpacked app is for inspecting: a note, no refusal.
    expect(checkRuntimeToShip(manifest, false, false)).toEqual([expect.stringContaining("Fine to inspect")]);
  });

  it("says nothing about python-build-standalone's runtime", () => {
    stage({ kind: "python-build-standalone", tag: "20260211", asset: "cpython-3.12.12+20260211-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz", sha256: "0" });
    expect(checkRuntimeToShip(manifest, true, false)).toEqual([]);
    expect(checkRuntimeToShip(manifest, false, false)).toEqual([]);
  });
});
