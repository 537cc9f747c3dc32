import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { electronBinary } from "./electron/support";
import { npmRun } from "../src/paths";

/** A loopback stand-in for Electron's download mirror: records every request and answers 404. */
async function startMirror(): Promise<{ url: string; requests: string[]; close: () => void }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? "");
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, requests, close: () => server.close() };
}

/** Runs `npm run dev`'s launcher against the mirror; resolves with its exit code and output. */
function launch(env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "..", "src", "launch.ts")], { env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe.skipIf(electronBinary() !== undefined)("npm run dev without the Electron binary", () => {
  const mirrorEnv = (url: string) => ({ ELECTRON_MIRROR: url, electron_config_cache: mkdtempSync(path.join(tmpdir(), "electron-cache-")) });

  it("downloads nothing when ELECTRON_SKIP_BINARY_DOWNLOAD is set, and explains in one paragraph", async () => {
    const mirror = await startMirror();
    try {
      const result = await launch({ ...mirrorEnv(mirror.url), ELECTRON_SKIP_BINARY_DOWNLOAD: "1" });
      expect(mirror.requests).toEqual([]);
      expect(result.status).toBe(1);
      expect(result.stdout).not.toContain("Downloading");
      expect(result.stderr).toContain("The Electron binary is not installed, so the desktop window cannot open here.");
      expect(result.stderr).toContain("ELECTRON_SKIP_BINARY_DOWNLOAD is set, so no download was tried.");
      expect(result.stderr).toContain("npx install-electron");
      expect(result.stderr).toContain(`\`${npmRun("backend")}\``);
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/^\s+at /m);
    } finally {
      mirror.close();
    }
  });

  it("without the variable, tries the download once and says what failed", async () => {
    const mirror = await startMirror();
    try {
      const env: NodeJS.ProcessEnv = mirrorEnv(mirror.url);
      const result = await launch({ ...env, ELECTRON_SKIP_BINARY_DOWNLOAD: "" });
      expect(mirror.requests.length).toBeGreaterThan(0);
      expect(result.status).toBe(1);
      expect(result.stdout).toContain("Downloading the Electron binary");
      expect(result.stderr).toMatch(/The download failed: .*404/);
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/^\s+at /m);
    } finally {
      mirror.close();
    }
  });

  it("from start:packaged, points at the staged backend", async () => {
    const result = await launch({ ELECTRON_SKIP_BINARY_DOWNLOAD: "1", DDS_BACKEND_LAYOUT: "staged" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`\`${npmRun("backend")} -- --staged\``);
  });
});
