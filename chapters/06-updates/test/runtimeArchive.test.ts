import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { c as createTar } from "tar";
import { afterEach, describe, expect, inject, it } from "vitest";
import { releaseAsset } from "../scripts/pythonRelease";
import { cachedRuntimeArchive, checkRuntimeArchive, ChecksumMismatchError, localRuntimeArchive, progressLine, stageCommand, UnusableArchiveError } from "../scripts/runtimeArchive";
import { freePort, tempDir } from "./helpers";

const archiveBytes = Buffer.from("a stand-in for a python-build-standalone archive ".repeat(5000));
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** A local stand-in for GitHub's release download server: it serves one archive and SHA256SUMS, and counts requests. */
async function releaseServer(options: { served?: Buffer; listed?: string } = {}): Promise<{ url: string; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const port = await freePort();
  const server = createServer((request, response) => {
    requests.push(request.url ?? "");
    const asset = releaseAsset("linux", "x64", { tag: "t1", pythonVersion: "3.12.0", baseUrl: `http://127.0.0.1:${port}` });
    if (request.url === "/t1/SHA256SUMS") {
      response.end(options.listed ?? `${"0".repeat(64)}  something-else.tar.gz\n${sha256(archiveBytes)}  ${asset.name}\n`);
    } else if (request.url === new URL(asset.url).pathname) {
      const body = options.served ?? archiveBytes;
      response.writeHead(200, { "content-length": body.length }).end(body);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}`, requests, server };
}

let server: Server | undefined;
afterEach(() => server?.close());

function assetFor(baseUrl: string) {
  return releaseAsset("linux", "x64", { tag: "t1", pythonVersion: "3.12.0", baseUrl });
}

describe("cachedRuntimeArchive", () => {
  it("downloads with progress, verifies against SHA256SUMS, and a second stage downloads nothing", async () => {
    const release = await releaseServer();
    server = release.server;
    const cache = tempDir();
    const progress: Array<[number, number | undefined]> = [];
    const first = await cachedRuntimeArchive(assetFor(release.url), cache, () => undefined, (received, total) => progress.push([received, total]));
    expect(readFileSync(first.file).equals(archiveBytes)).toBe(true);
    expect(first.sha256).toBe(sha256(archiveBytes));
    expect(first.source).toEqual({ kind: "python-build-standalone", tag: "t1", asset: path.basename(first.file) });
    expect(progress.at(-1)).toEqual([archiveBytes.length, archiveBytes.length]);
    expect(release.requests).toHaveLength(2);

    const lines: string[] = [];
    const second = await cachedRuntimeArchive(assetFor(release.url), cache, (line) => lines.push(line));
    expect(second.file).toBe(first.file);
    expect(release.requests).toHaveLength(2);
    expect(lines).toEqual([`Using the cached ${path.basename(first.file)}`]);
  });

  it("deletes a download that does not match its checksum and stops with a clear error", async () => {
    const tampered = Buffer.from(archiveBytes);
    tampered[1000]! ^= 0xff;
    const release = await releaseServer({ served: tampered });
    server = release.server;
    const cache = tempDir();
    const attempt = cachedRuntimeArchive(assetFor(release.url), cache, () => undefined, () => undefined);
    await expect(attempt).rejects.toThrow(ChecksumMismatchError);
    await expect(cachedRuntimeArchive(assetFor(release.url), cache, () => undefined, () => undefined)).rejects.toThrow(
      new RegExp(`Checksum mismatch for .*: expected SHA-256 ${sha256(archiveBytes)}, got ${sha256(tampered)}\\.\\n.*nothing was staged`),
    );
    expect(readdirSync(cache)).toEqual([]);
  });

  it("downloads again when the cached file was damaged", async () => {
    const release = await releaseServer();
    server = release.server;
    const cache = tempDir();
    const first = await cachedRuntimeArchive(assetFor(release.url), cache, () => undefined, () => undefined);
    writeFileSync(first.file, "damaged");
    const lines: string[] = [];
    const again = await cachedRuntimeArchive(assetFor(release.url), cache, (line) => lines.push(line), () => undefined);
    expect(readFileSync(again.file).equals(archiveBytes)).toBe(true);
    expect(lines[0]).toMatch(/does not match its checksum any more; downloading it again/);
  });

  it("refuses an archive the release does not list", async () => {
    const release = await releaseServer({ listed: `${"0".repeat(64)}  something-else.tar.gz\n` });
    server = release.server;
    const cache = tempDir();
    await expect(cachedRuntimeArchive(assetFor(release.url), cache, () => undefined, () => undefined)).rejects.toThrow(/lists no checksum for cpython-3\.12\.0\+t1-/);
    expect(readdirSync(cache)).toEqual([]);
  });

  it("points at the offline path, and where to get an archive, when the server cannot be reached", async () => {
    const port = await freePort();
    const asset = assetFor(`http://127.0.0.1:${port}`);
    const failure = cachedRuntimeArchive(asset, tempDir(), () => undefined, () => undefined);
    await expect(failure).rejects.toThrow(/Could not download .*SHA256SUMS.*\n.*--python-archive <file> \(or DDS_PYTHON_ARCHIVE\)/);
    const message = await failure.catch((error: Error) => error.message);
    expect(message).toContain(`download ${asset.url} and ${asset.checksumsUrl}, then pass the checksum on the archive's line of SHA256SUMS as --python-sha256 <hex>`);
    expect(message).toContain("For offline development and tests on Linux, the stage can build the archive from this machine's Python (pyenv's 3.12 or 3.13) instead; such a bundle is not for shipping to users:\n  npm run stage -- --local-python");
  });

  it("names the command as npm ran the stage: with -w <workspace> when it was typed in another folder", () => {
    const saved = { INIT_CWD: process.env.INIT_CWD, npm_lifecycle_event: process.env.npm_lifecycle_event };
    try {
      process.env.npm_lifecycle_event = "stage";
      process.env.INIT_CWD = path.dirname(process.cwd());
      expect(stageCommand("--local-python")).toBe(`npm run stage -w ${path.basename(process.cwd())} -- --local-python`);
      process.env.INIT_CWD = process.cwd();
      expect(stageCommand("--local-python")).toBe("npm run stage -- --local-python");
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

describe("localRuntimeArchive", () => {
  it("accepts a local archive whose checksum matches, and one given without a checksum", async () => {
    const file = path.join(tempDir(), "cpython-local-install_only.tar.gz");
    writeFileSync(file, archiveBytes);
    expect((await localRuntimeArchive(file, sha256(archiveBytes).toUpperCase())).sha256).toBe(sha256(archiveBytes));
    expect((await localRuntimeArchive(file)).source).toEqual({ kind: "local archive", name: "cpython-local-install_only.tar.gz" });
  });

  it("refuses a local archive whose checksum differs, and leaves the file alone", async () => {
    const file = path.join(tempDir(), "cpython-local-install_only.tar.gz");
    writeFileSync(file, archiveBytes);
    await expect(localRuntimeArchive(file, "1".repeat(64))).rejects.toThrow(/Checksum mismatch for cpython-local-install_only\.tar\.gz.*\n.*--python-sha256/);
    expect(existsSync(file)).toBe(true);
  });

  it("says what to pass when the file does not exist", async () => {
    await expect(localRuntimeArchive(path.join(tempDir(), "missing.tar.gz"))).rejects.toThrow(/does not exist\. Pass an install_only \.tar\.gz/);
  });
});

describe("progressLine", () => {
  function fakeStream(isTTY: boolean) {
    const written: string[] = [];
    return { stream: { isTTY, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream, written };
  }

  it("rewrites one line on a terminal and ends it when done", () => {
    const { stream, written } = fakeStream(true);
    const report = progressLine("Downloading x", stream);
    report(5e6, 10e6);
    report(10e6, 10e6);
    expect(written).toEqual(["\rDownloading x: 5.0 / 10.0 MB (50 %)", "\rDownloading x: 10.0 / 10.0 MB (100 %)\n"]);
  });

  it("prints one line per tenth in a log", () => {
    const { stream, written } = fakeStream(false);
    const report = progressLine("Downloading x", stream);
    for (let received = 1e6; received <= 10e6; received += 0.5e6) report(received, 10e6);
    expect(written).toHaveLength(10);
    expect(written.at(-1)).toBe("Downloading x: 10.0 / 10.0 MB (100 %)\n");
  });
});

/** A small install_only-shaped archive: a python/ folder with `files` (path -> content) and `links` (path -> target). */
async function smallRuntimeArchive(files: Record<string, string | Buffer>, links: Record<string, string> = {}): Promise<string> {
  const work = tempDir();
  for (const [relative, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(work, relative)), { recursive: true });
    writeFileSync(path.join(work, relative), content);
  }
  for (const [relative, target] of Object.entries(links)) {
    mkdirSync(path.dirname(path.join(work, relative)), { recursive: true });
    symlinkSync(target, path.join(work, relative));
  }
  const file = path.join(tempDir(), "cpython-3.12.0-small-install_only.tar.gz");
  await createTar({ gzip: true, file, cwd: work, portable: true }, ["python"]);
  return file;
}

describe.skipIf(process.platform === "win32")("checkRuntimeArchive", () => {
  const interpreter = { "python/bin/python3.12": "#!", "python/lib/python3.12/os.py": "" };

  it("accepts links that stay inside the archive", async () => {
    const file = await smallRuntimeArchive(interpreter, { "python/bin/python3": "python3.12" });
    await expect(checkRuntimeArchive(file)).resolves.toBeUndefined();
  });

  it("refuses absolute links and links out of the archive, naming them and saying what to do", async () => {
    const file = await smallRuntimeArchive(interpreter, {
      "python/lib/python3.12/sitecustomize.py": "/etc/python3.12/sitecustomize.py",
      "python/lib/python3.12/escape.py": "../../../../outside.py",
    });
    const check = checkRuntimeArchive(file);
    await expect(check).rejects.toThrow(UnusableArchiveError);
    await expect(check).rejects.toThrow(/has 2 links pointing outside itself/);
    await expect(check).rejects.toThrow(/python\/lib\/python3\.12\/sitecustomize\.py -> \/etc\/python3\.12\/sitecustomize\.py/);
    await expect(check).rejects.toThrow(/escape\.py -> \.\.\/\.\.\/\.\.\/\.\.\/outside\.py/);
    await expect(check).rejects.toThrow(/Use a python-build-standalone install_only archive, or rebuild yours without those links/);
  });

  // pyenv's own interpreter, copied as it is: its RUNPATH names pyenv's install folder on this machine.
  const pyenvPython = ["3.12", "3.13"]
    .flatMap((minor) => {
      const versions = path.join(process.env.PYENV_ROOT ?? path.join(os.homedir(), ".pyenv"), "versions");
      return existsSync(versions) ? readdirSync(versions).filter((name) => name.startsWith(`${minor}.`)).map((name) => path.join(versions, name, "bin", `python${minor}`)) : [];
    })
    .find((file) => existsSync(file));

  it.skipIf(!pyenvPython)("refuses an interpreter that loads its libraries from the build machine (pyenv's, copied as it is), and names the stage's --local-python", async () => {
    const file = await smallRuntimeArchive({ "python/bin/python3.12": readFileSync(pyenvPython!), "python/lib/python3.12/os.py": "" });
    const check = checkRuntimeArchive(file);
    await expect(check).rejects.toThrow(UnusableArchiveError);
    await expect(check).rejects.toThrow(/is not relocatable: a binary loads libraries from folders of the machine that built it:\n {2}python\/bin\/python3\.12: RUNPATH \/\S+\/lib\n/);
    await expect(check).rejects.toThrow("npm run stage -- --local-python (it rewrites those paths)");
    await expect(check).rejects.toThrow(/patchelf --set-rpath/);
  });

  it.skipIf(!inject("stagedBundle").archive || inject("stagedBundle").downloaded)("accepts the archive built from this machine's Python, whose paths are relative to $ORIGIN", async () => {
    await expect(checkRuntimeArchive(inject("stagedBundle").archive!)).resolves.toBeUndefined();
  });

  it("refuses a Python marked EXTERNALLY-MANAGED before pip would", async () => {
    const file = await smallRuntimeArchive({ ...interpreter, "python/lib/python3.12/EXTERNALLY-MANAGED": "[externally-managed]\n" });
    const check = checkRuntimeArchive(file);
    await expect(check).rejects.toThrow(UnusableArchiveError);
    await expect(check).rejects.toThrow(/holds python\/lib\/python3\.12\/EXTERNALLY-MANAGED: its Python is marked as managed by a system package manager/);
    await expect(check).rejects.toThrow(/leave that file out of it/);
  });

  it("says an archive that is not a readable .tar.gz is damaged, and how to have it verified", async () => {
    const file = path.join(tempDir(), "cpython-3.12.0-broken-install_only.tar.gz");
    writeFileSync(file, archiveBytes);
    const check = checkRuntimeArchive(file);
    await expect(check).rejects.toThrow(UnusableArchiveError);
    await expect(check).rejects.toThrow(/cpython-3\.12\.0-broken-install_only\.tar\.gz cannot be read as a \.tar\.gz \(.+\): it is damaged .* --python-sha256/);
  });

  it("stops `npm run stage` with that message, exit code 1 and nothing staged", async () => {
    const file = await smallRuntimeArchive(interpreter, { "python/bin/python3": "/usr/bin/python3.12" });
    const bundleDir = path.join(tempDir(), "backend");
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "..", "scripts", "stage.ts"), "--python-archive", file, "--bundle-dir", bundleDir], {
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Staging failed: The runtime archive cpython-3\.12\.0-small-install_only\.tar\.gz has a link pointing outside itself:\n {2}python\/bin\/python3 -> \/usr\/bin\/python3\.12\n/);
    expect(result.stderr).not.toMatch(/TAR_ENTRY_INFO|at .*\.ts:\d+/);
    expect(existsSync(path.dirname(bundleDir)) && readdirSync(path.dirname(bundleDir))).toEqual([]);
  });
});
