/**
 * The merged latest-mac.yml, checked with electron-updater's own code: its
 * parser of the metadata, and the rule its MacUpdater uses to pick a Mac's file.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { MacUpdater } from "electron-updater/out/MacUpdater";
import { resolveFiles } from "electron-updater/out/providers/Provider";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { mergeMacUpdateInfo, UpdateInfoMergeError } from "../scripts/macUpdateInfo";
import { tempDir } from "./helpers";

/** What electron-builder writes on one macOS runner (checksums shortened, the shape is real). */
function latestMac(arch: "arm64" | "x64", releaseDate: string, version = "1.2.0"): string {
  return [
    `version: ${version}`,
    "files:",
    `  - url: flying-stable-${version}-mac-${arch}.zip`,
    `    sha512: zip-${arch}-sha512==`,
    "    size: 123456789",
    `  - url: flying-stable-${version}-mac-${arch}.dmg`,
    `    sha512: dmg-${arch}-sha512==`,
    "    size: 128000000",
    `path: flying-stable-${version}-mac-${arch}.zip`,
    `sha512: zip-${arch}-sha512==`,
    `releaseDate: '${releaseDate}'`,
    "",
  ].join("\n");
}

const appleSilicon = { name: "arm64/latest-mac.yml", text: latestMac("arm64", "2026-12-03T09:10:00.000Z") };
const intel = { name: "x64/latest-mac.yml", text: latestMac("x64", "2026-12-03T09:25:00.000Z") };

/** The file electron-updater downloads on this Mac, from the merged metadata. */
function chosenZip(merged: string, isArm64Mac: boolean): string[] {
  const files = resolveFiles(parse(merged), new URL("https://updates.example.com/flying-stable/"));
  // filterFilesForArch is protected: its rule is what this test is about, so call the real one.
  const { filterFilesForArch } = MacUpdater as unknown as { filterFilesForArch: (all: typeof files, arm64: boolean) => typeof files };
  return filterFilesForArch(files, isArm64Mac)
    .map((file) => path.basename(file.url.pathname))
    .filter((name) => name.endsWith(".zip"));
}

describe("mergeMacUpdateInfo", () => {
  it("lists both builds' files, and each Mac gets its own build", () => {
    const merged = mergeMacUpdateInfo([appleSilicon, intel]);
    const info = parse(merged) as { version: string; files: { url: string }[]; releaseDate: string };
    expect(info.version).toBe("1.2.0");
    expect(info.files.map((file) => file.url)).toEqual([
      "flying-stable-1.2.0-mac-arm64.zip",
      "flying-stable-1.2.0-mac-arm64.dmg",
      "flying-stable-1.2.0-mac-x64.zip",
      "flying-stable-1.2.0-mac-x64.dmg",
    ]);
    expect(info.releaseDate).toBe("2026-12-03T09:25:00.000Z");
    expect(chosenZip(merged, true)).toEqual(["flying-stable-1.2.0-mac-arm64.zip"]);
    expect(chosenZip(merged, false)).toEqual(["flying-stable-1.2.0-mac-x64.zip"]);
  });

  it("gives the same result whichever build finished first", () => {
    expect(parse(mergeMacUpdateInfo([intel, appleSilicon])).files).toHaveLength(4);
    expect(chosenZip(mergeMacUpdateInfo([intel, appleSilicon]), true)).toEqual(["flying-stable-1.2.0-mac-arm64.zip"]);
  });

  it("refuses builds of two versions", () => {
    const older = { name: "x64/latest-mac.yml", text: latestMac("x64", "2026-12-01T00:00:00.000Z", "1.1.0") };
    expect(() => mergeMacUpdateInfo([appleSilicon, older])).toThrow(UpdateInfoMergeError);
    expect(() => mergeMacUpdateInfo([appleSilicon, older])).toThrow("different versions (1.2.0, 1.1.0)");
  });

  it("refuses one file name with two checksums", () => {
    const clash = { name: "other/latest-mac.yml", text: latestMac("arm64", "2026-12-03T09:30:00.000Z").replaceAll("zip-arm64-sha512", "other") };
    expect(() => mergeMacUpdateInfo([appleSilicon, clash])).toThrow("flying-stable-1.2.0-mac-arm64.zip appears twice with different checksums");
  });

  it("refuses a file that is not update metadata", () => {
    expect(() => mergeMacUpdateInfo([appleSilicon, { name: "notes.yml", text: "hello: world\n" }])).toThrow('notes.yml is not electron-builder\'s update metadata');
  });
});

describe("npm run release:merge-mac", () => {
  it("writes the merged file from the two builds' files", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "arm64.yml"), appleSilicon.text);
    writeFileSync(path.join(dir, "x64.yml"), intel.text);
    const output = path.join(dir, "latest-mac.yml");
    execFileSync("npm", ["run", "--silent", "release:merge-mac", "--", output, path.join(dir, "arm64.yml"), path.join(dir, "x64.yml")], {
      cwd: path.resolve(__dirname, ".."),
      stdio: "pipe",
    });
    expect(readFileSync(output, "utf8")).toBe(mergeMacUpdateInfo([appleSilicon, intel]));
  });
});
