import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKSUMS_FILE, parseChecksums, verifyFile, writeChecksums } from "../scripts/releaseChecksums";
import { SHELL_DIR } from "../src/paths";
import { tempDir } from "./helpers";


/** A release folder as electron-builder leaves it: installers, update metadata, an unpacked folder, its build log. */
function releaseFolder(): string {
  const folder = tempDir("dds-release-");
  writeFileSync(path.join(folder, "Flying Stable-1.2.0.AppImage"), "pretend AppImage\n");
  writeFileSync(path.join(folder, "flying-stable-1.2.0.tar.gz"), Buffer.from([0x1f, 0x8b, 0, 1, 2, 3]));
  writeFileSync(path.join(folder, "latest-linux.yml"), "version: 1.2.0\n");
  writeFileSync(path.join(folder, "builder-debug.yml"), "x64: {}\n");
  mkdirSync(path.join(folder, "linux-unpacked"));
  writeFileSync(path.join(folder, "linux-unpacked", "flying-stable"), "binary");
  return folder;
}

function run(script: string, args: string[], cwd = SHELL_DIR) {
  const result = spawnSync(process.execPath, ["--import", "tsx", path.join(SHELL_DIR, "scripts", script), ...args], { cwd, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

describe("writeChecksums", () => {
  it("lists every file of the release folder in sha256sum's format, sorted, without subfolders or build logs", async () => {
    const folder = releaseFolder();
    await writeChecksums(folder);
    const text = readFileSync(path.join(folder, CHECKSUMS_FILE), "utf8");
    expect(text.split("\n")).toEqual([
      expect.stringMatching(/^[0-9a-f]{64} {2}Flying Stable-1\.2\.0\.AppImage$/),
      expect.stringMatching(/^[0-9a-f]{64} {2}flying-stable-1\.2\.0\.tar\.gz$/),
      expect.stringMatching(/^[0-9a-f]{64} {2}latest-linux\.yml$/),
      "",
    ]);
  });

  it("does not checksum its own list when run again", async () => {
    const folder = releaseFolder();
    await writeChecksums(folder);
    const entries = await writeChecksums(folder);
    expect(entries.map((entry) => entry.fileName)).not.toContain(CHECKSUMS_FILE);
  });

  it("says what to pass when the folder is missing or empty", async () => {
    await expect(writeChecksums(path.join(tempDir(), "nope"))).rejects.toThrow(/pass the folder that holds the installers/);
    await expect(writeChecksums(tempDir())).rejects.toThrow(/holds no files to checksum/);
  });
});

describe("verifyFile", () => {
  it("accepts a file that matches its entry", async () => {
    const folder = releaseFolder();
    await writeChecksums(folder);
    const entry = await verifyFile(path.join(folder, "flying-stable-1.2.0.tar.gz"), path.join(folder, CHECKSUMS_FILE));
    expect(entry.fileName).toBe("flying-stable-1.2.0.tar.gz");
  });

  it("rejects a file with one changed byte and says not to install it", async () => {
    const folder = releaseFolder();
    await writeChecksums(folder);
    const archive = path.join(folder, "flying-stable-1.2.0.tar.gz");
    const bytes = readFileSync(archive);
    bytes[3] = bytes[3]! ^ 0x01;
    writeFileSync(archive, bytes);
    await expect(verifyFile(archive, path.join(folder, CHECKSUMS_FILE))).rejects.toThrow(
      /flying-stable-1\.2\.0\.tar\.gz does not match SHA256SUMS \(expected [0-9a-f]{64}, got [0-9a-f]{64}\): do not install it; download or transfer it again/,
    );
  });

  it("rejects a file the list does not name", async () => {
    const folder = releaseFolder();
    await writeChecksums(folder);
    writeFileSync(path.join(folder, "Flying Stable Setup 1.2.0.exe"), "not in the list");
    await expect(verifyFile(path.join(folder, "Flying Stable Setup 1.2.0.exe"), path.join(folder, CHECKSUMS_FILE))).rejects.toThrow(
      /Flying Stable Setup 1\.2\.0\.exe is not listed in .*SHA256SUMS: do not install it/,
    );
  });

  it("rejects a malformed list, naming the line", async () => {
    const folder = releaseFolder();
    await writeChecksums(folder);
    const list = path.join(folder, CHECKSUMS_FILE);
    writeFileSync(list, `${readFileSync(list, "utf8")}deadbeef  truncated.zip\n`);
    await expect(verifyFile(path.join(folder, "latest-linux.yml"), list)).rejects.toThrow(
      /SHA256SUMS is malformed at line 4 \(expected "<64 hex digits> {2}<file name>"\): get an intact copy/,
    );
  });

  it("says what to do when the list is missing", async () => {
    const folder = releaseFolder();
    await expect(verifyFile(path.join(folder, "latest-linux.yml"), path.join(folder, CHECKSUMS_FILE))).rejects.toThrow(
      /Cannot read .*SHA256SUMS: copy the release's SHA256SUMS next to the installer/,
    );
  });
});

describe("parseChecksums", () => {
  it("reads sha256sum's binary-mode lines, upper-case digits and Windows line ends", () => {
    const digest = "A".repeat(64);
    expect(parseChecksums(`${digest} *Setup.exe\r\n\r\n`)).toEqual([{ sha256: "a".repeat(64), fileName: "Setup.exe" }]);
  });

  it("rejects an empty list and a file listed twice with different sums", () => {
    expect(() => parseChecksums("\n")).toThrow(/lists no files/);
    expect(() => parseChecksums(`${"a".repeat(64)}  x.zip\n${"b".repeat(64)}  x.zip\n`)).toThrow(/lists x\.zip twice/);
  });
});

describe("the release:checksums and release:verify commands", () => {
  it("write and check a list through npm, with paths relative to where npm was run", () => {
    const folder = releaseFolder();
    // Run inside the shell's folder, as a wrapped project's desktop/ runs its scripts.
    const relative = path.relative(SHELL_DIR, folder);
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const written = spawnSync(npm, ["run", "--silent", "release:checksums", "--", relative], {
      cwd: SHELL_DIR,
      encoding: "utf8",
      shell: process.platform === "win32",
    });
    expect(written.stderr).not.toMatch(/FAILED|Cannot/);
    expect(written.status).toBe(0);
    expect(written.stdout).toContain(`Wrote ${path.join(folder, CHECKSUMS_FILE)} for 3 files.`);

    const verified = spawnSync(
      npm,
      ["run", "--silent", "release:verify", "--", path.join(relative, "latest-linux.yml"), path.join(relative, CHECKSUMS_FILE)],
      { cwd: SHELL_DIR, encoding: "utf8", shell: process.platform === "win32" },
    );
    expect(verified.status).toBe(0);
    expect(verified.stdout).toMatch(/^OK: latest-linux\.yml matches its SHA256SUMS entry/);
  });

  it("release:verify exits non-zero with one line that says what to do", async () => {
    const folder = releaseFolder();
    await writeChecksums(folder);
    writeFileSync(path.join(folder, "latest-linux.yml"), "version: 6.6.6\n");
    const result = run("release-verify.ts", [path.join(folder, "latest-linux.yml"), path.join(folder, CHECKSUMS_FILE)]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/^FAILED: latest-linux\.yml does not match SHA256SUMS .*do not install it/);
  });

  it("both commands print their usage when arguments are missing", () => {
    expect(run("release-checksums.ts", [])).toMatchObject({ status: 2, stderr: expect.stringMatching(/^Usage: npm run release:checksums/) });
    expect(run("release-verify.ts", ["only-one"])).toMatchObject({ status: 2, stderr: expect.stringMatching(/^Usage: npm run release:verify/) });
  });
});

const sha256sum = spawnSync("sha256sum", ["--version"]).status === 0;

describe.skipIf(!sha256sum)("interchange with coreutils' sha256sum", () => {
  it("sha256sum -c accepts our list, and we accept sha256sum's", async () => {
    const folder = releaseFolder();
    await writeChecksums(folder);
    const checked = spawnSync("sha256sum", ["-c", CHECKSUMS_FILE], { cwd: folder, encoding: "utf8" });
    expect(checked.status).toBe(0);

    const theirs = spawnSync("sha256sum", ["latest-linux.yml", "Flying Stable-1.2.0.AppImage"], { cwd: folder, encoding: "utf8" });
    writeFileSync(path.join(folder, "THEIRS"), theirs.stdout);
    await expect(verifyFile(path.join(folder, "Flying Stable-1.2.0.AppImage"), path.join(folder, "THEIRS"))).resolves.toMatchObject({
      fileName: "Flying Stable-1.2.0.AppImage",
    });
  });
});
