import { describe, expect, it } from "vitest";
import { checksumFor, PYTHON_RELEASE, PYTHON_VERSIONS, releaseAsset, releaseFor, SUPPORTED_TARGETS, UnsupportedPlatformError } from "../scripts/pythonRelease";

describe("releaseAsset", () => {
  const { tag, pythonVersion } = PYTHON_RELEASE;
  it.each([
    ["darwin", "arm64", "aarch64-apple-darwin"],
    ["darwin", "x64", "x86_64-apple-darwin"],
    ["win32", "x64", "x86_64-pc-windows-msvc"],
    ["linux", "x64", "x86_64-unknown-linux-gnu"],
    ["linux", "arm64", "aarch64-unknown-linux-gnu"],
  ])("maps %s-%s to the %s install_only_stripped archive", (platform, arch, triple) => {
    const asset = releaseAsset(platform, arch);
    expect(asset.name).toBe(`cpython-${pythonVersion}+${tag}-${triple}-install_only_stripped.tar.gz`);
    expect(asset.url).toBe(`https://github.com/astral-sh/python-build-standalone/releases/download/${tag}/cpython-${pythonVersion}%2B${tag}-${triple}-install_only_stripped.tar.gz`);
    expect(asset.checksumsUrl).toBe(`https://github.com/astral-sh/python-build-standalone/releases/download/${tag}/SHA256SUMS`);
  });

  it("covers exactly the five targets the starter ships", () => {
    expect(SUPPORTED_TARGETS.sort()).toEqual(["darwin-arm64", "darwin-x64", "linux-arm64", "linux-x64", "win32-x64"]);
  });

  it.each([
    ["win32", "arm64"],
    ["linux", "ia32"],
    ["freebsd", "x64"],
  ])("refuses %s-%s and says how to stage anyway", (platform, arch) => {
    expect(() => releaseAsset(platform, arch)).toThrow(UnsupportedPlatformError);
    expect(() => releaseAsset(platform, arch)).toThrow(new RegExp(`no python-build-standalone runtime mapped for ${platform}-${arch}.*\\n.*--python-archive`, "s"));
  });

  it("builds the URLs from the pinned release, so one edit moves every platform", () => {
    const asset = releaseAsset("linux", "x64", { tag: "20990101", pythonVersion: "3.99.1", baseUrl: "http://mirror.example/pbs" });
    expect(asset.url).toBe("http://mirror.example/pbs/20990101/cpython-3.99.1%2B20990101-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz");
  });
});

describe("checksumFor", () => {
  const a = "a".repeat(64);
  const b = "B".repeat(64);
  const sums = `${a}  cpython-1-install_only.tar.gz\n${b} *cpython-2-install_only.tar.gz\r\n`;
  it("finds an archive's line in SHA256SUMS, text or binary mode, lower-cased", () => {
    expect(checksumFor(sums, "cpython-1-install_only.tar.gz")).toBe(a);
    expect(checksumFor(sums, "cpython-2-install_only.tar.gz")).toBe("b".repeat(64));
  });
  it("returns undefined for a name it does not list, even as a prefix", () => {
    expect(checksumFor(sums, "cpython-1-install_only.tar")).toBeUndefined();
  });
});

describe("releaseFor", () => {
  it("picks the pinned release's CPython for a project's pythonVersion, with the same asset naming", () => {
    expect(releaseFor("3.12")).toEqual(PYTHON_RELEASE);
    expect(releaseFor("3.13").pythonVersion).toBe(PYTHON_VERSIONS["3.13"]);
    expect(releaseAsset("darwin", "arm64", releaseFor("3.13")).name).toBe(`cpython-3.13.12+${PYTHON_RELEASE.tag}-aarch64-apple-darwin-install_only_stripped.tar.gz`);
  });
  it("names the versions there are when asked for another", () => {
    expect(() => releaseFor("3.11")).toThrow(/asks for Python 3\.11.*3\.12 and 3\.13/);
  });
});
