/**
 * The release job's latest.json (experiments/tauri/scripts/updater-manifest.ts), from
 * bundles signed with a throwaway key by the real `tauri signer`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { platformEntries, updaterArch } from "../experiments/tauri/scripts/updater-manifest.ts";

const repoRoot = path.resolve(import.meta.dirname, "..");
const tauri = path.join(repoRoot, "node_modules", ".bin", process.platform === "win32" ? "tauri.cmd" : "tauri");
const script = path.join(repoRoot, "experiments", "tauri", "scripts", "updater-manifest.ts");
const verifier = path.join(repoRoot, "experiments", "tauri", "scripts", "verify-signature.ts");
const tsx = path.join(repoRoot, "node_modules", ".bin", process.platform === "win32" ? "tsx.cmd" : "tsx");
const work = mkdtempSync(path.join(os.tmpdir(), "dds-updater-manifest-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (command: string, args: string[]) =>
  execFileSync(command, args, { cwd: work, encoding: "utf8", env: { ...process.env, CI: "true" }, shell: process.platform === "win32" });
/** The verifier's exit code and output. */
const verifyRun = (args: string[]) => {
  const result = spawnSync(tsx, [verifier, ...args], { cwd: work, encoding: "utf8", shell: process.platform === "win32" });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
};

describe("latest.json for the Tauri updater", () => {
  it("keys each signed bundle the way tauri-plugin-updater looks it up, the AppImage first on Linux", () => {
    const entries = platformEntries(
      [
        { file: "bundle/deb/Flying Stable (Tauri)_0.2.0_amd64.deb", signature: "DEB\n" },
        { file: "bundle/appimage/Flying Stable (Tauri)_0.2.0_amd64.AppImage", signature: "APPIMAGE" },
        { file: "bundle/dmg/Flying Stable (Tauri)_0.2.0_aarch64.dmg", signature: "not an updater bundle" },
      ],
      "x86_64",
      "https://example.org/download",
    );
    expect(entries).toEqual({
      "linux-x86_64": { url: "https://example.org/download/Flying%20Stable%20(Tauri)_0.2.0_amd64.AppImage", signature: "APPIMAGE" },
      "linux-x86_64-appimage": { url: "https://example.org/download/Flying%20Stable%20(Tauri)_0.2.0_amd64.AppImage", signature: "APPIMAGE" },
      "linux-x86_64-deb": { url: "https://example.org/download/Flying%20Stable%20(Tauri)_0.2.0_amd64.deb", signature: "DEB" },
    });
    expect(updaterArch("x64")).toBe("x86_64");
    expect(updaterArch("arm64")).toBe("aarch64");
  });

  it("writes a fragment per runner from real .sig files and merges them into one latest.json", () => {
    run(tauri, ["signer", "generate", "--ci", "-p", "", "-w", "release.key"]);
    const appimage = path.join(work, "bundle", "appimage");
    mkdirSync(appimage, { recursive: true });
    mkdirSync(path.join(work, "bundle", "dmg"));
    writeFileSync(path.join(appimage, "app.AppImage"), "the app");
    writeFileSync(path.join(work, "bundle", "dmg", "app.dmg"), "unsigned, not for the updater");
    run(tauri, ["signer", "sign", "-f", path.join(work, "release.key"), "-p", "", path.join(appimage, "app.AppImage")]);
    const signature = readFileSync(path.join(appimage, "app.AppImage.sig"), "utf8");

    run(tsx, [script, "fragment", "bundle", "linux.json", "--base-url", "https://example.org/v0.2.0/"]);
    run(tsx, [script, "merge", "latest.json", "linux.json", "--version", "0.2.0", "--notes", "Faster ponies."]);
    const latest = JSON.parse(readFileSync(path.join(work, "latest.json"), "utf8"));
    expect(latest.version).toBe("0.2.0");
    expect(latest.notes).toBe("Faster ponies.");
    expect(latest.pub_date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(latest.platforms[`linux-${updaterArch()}`]).toEqual({ url: "https://example.org/v0.2.0/app.AppImage", signature: signature.trim() });
    expect(Object.keys(latest.platforms)).toHaveLength(2);
  });

  it("says so, and writes nothing, when the build was not signed", () => {
    const unsigned = path.join(work, "unsigned", "deb");
    mkdirSync(unsigned, { recursive: true });
    writeFileSync(path.join(unsigned, "app.deb"), "no key, no .sig");
    expect(run(tsx, [script, "fragment", "unsigned", "none.json", "--base-url", "https://example.org/"])).toContain("no .sig files");
    expect(run(tsx, [script, "merge", "latest-none.json", "--version", "0.2.0"])).toContain("no latest.json");
  });

  it("verifies a bundle offline against its .sig and the public key, and refuses a changed byte or another key", () => {
    // Uses the key pair and the signed AppImage of the test above.
    const bundle = path.join(work, "bundle", "appimage", "app.AppImage");
    const ok = verifyRun([bundle, `${bundle}.sig`, "release.key.pub"]);
    expect(ok.output).toMatch(/^OK: app\.AppImage matches its signature \(timestamp:\d+\tfile:app\.AppImage\)\.$/m);
    expect(ok.code).toBe(0);

    writeFileSync(path.join(work, "changed.AppImage"), "the apq");
    const changed = verifyRun(["changed.AppImage", `${bundle}.sig`, "release.key.pub"]);
    expect(changed.code).toBe(1);
    expect(changed.output).toContain("Refused: changed.AppImage does not match its signature: it was changed or damaged after signing. Do not install it.");

    const project = verifyRun([bundle]);
    expect(project.code, "the repository's own key did not sign this").toBe(1);
    expect(project.output).toContain("Refused: The bundle was signed with another key");
  });

  const hasMinisign = spawnSync("minisign", ["-v"]).error === undefined;
  it.skipIf(!hasMinisign)("the releases page's minisign commands accept the same files (skipped without minisign on PATH)", () => {
    const bundle = path.join(work, "bundle", "appimage", "app.AppImage");
    writeFileSync(path.join(work, "tauri.pub"), Buffer.from(readFileSync(path.join(work, "release.key.pub"), "utf8"), "base64"));
    writeFileSync(path.join(work, "bundle.minisig"), Buffer.from(readFileSync(`${bundle}.sig`, "utf8"), "base64"));
    expect(run("minisign", ["-V", "-p", "tauri.pub", "-m", bundle, "-x", "bundle.minisig"])).toContain("Signature and comment signature verified");
    const refused = spawnSync("minisign", ["-V", "-p", "tauri.pub", "-m", "changed.AppImage", "-x", "bundle.minisig"], { cwd: work });
    expect(refused.status).toBe(1);
  });
});
