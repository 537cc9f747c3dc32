import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { releaseAsset } from "../scripts/pythonRelease";
import { cachedRuntimeArchive, ChecksumMismatchError, localRuntimeArchive, progressLine } from "../scripts/runtimeArchive";
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
    expect(message).toContain("`npm test` leaves an archive built from this machine's Python in .stage/cache/");
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
