/**
 * What `npm run pack` and `npm run dist` check before electron-builder runs:
 * each missing input is named together with the command that provides it.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { npmRun } from "../src/paths";
import { checkPackagingInputs } from "../scripts/package";
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
