import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseServingLine, startBackend, type Backend, type ServingInfo } from "../src/backend";
import { devPaths } from "../src/paths";
import { waitUntilAnswering } from "../src/readiness";
import { freePort, isRunning, tempDir, waitFor, waitUntilGone } from "./helpers";

const paths = devPaths();
let backend: Backend | undefined;

afterEach(async () => {
  await backend?.stop();
  backend = undefined;
});

function devEnv(): Record<string, string> {
  return {
    DJANGO_SETTINGS_MODULE: "desktop_django_starter.settings.dev",
    DESKTOP_DJANGO_HOST: "127.0.0.1",
    DESKTOP_DJANGO_APP_DATA_DIR: tempDir(),
  };
}

describe("parseServingLine", () => {
  it("reads the line desktop_serve prints when it serves", () => {
    expect(parseServingLine('DESKTOP_DJANGO_SERVING {"url": "http://127.0.0.1:5/", "pid": 7, "workers": []}')).toEqual({
      url: "http://127.0.0.1:5/",
      pid: 7,
      workers: [],
    });
  });

  it("ignores other output and broken JSON", () => {
    expect(parseServingLine("Watching for file changes")).toBeUndefined();
    expect(parseServingLine("DESKTOP_DJANGO_SERVING {not json")).toBeUndefined();
  });
});

describe("startBackend", () => {
  it("starts Django with the contract's environment and serves the pony list", async () => {
    const port = await freePort();
    const served: ServingInfo[] = [];
    backend = startBackend({ ...paths, port, env: devEnv(), onServing: (info) => served.push(info) });
    await waitUntilAnswering(backend.url);
    const response = await fetch(backend.url);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("My Ponies");
    expect(served[0]?.url).toBe(`http://127.0.0.1:${port}/`);
  });

  it("stop() ends Django and its autoreload child", async () => {
    const port = await freePort();
    const serving = await new Promise<ServingInfo>((resolve) => {
      backend = startBackend({ ...paths, port, env: devEnv(), args: ["--reload"], onServing: resolve });
    });
    const reloaderPid = backend!.child.pid!;
    expect(serving.pid).not.toBe(reloaderPid);
    expect(isRunning(serving.pid)).toBe(true);
    await backend!.stop();
    backend = undefined;
    await waitUntilGone([reloaderPid, serving.pid], 2000);
  });

  it("Django and its autoreload child are gone within 2 s after SIGKILL of the supervising process", async () => {
    const port = await freePort();
    const supervisor = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "fixtures", "supervise.ts"), String(port), tempDir()], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const pids = await waitFor<{ reloader: number; server: number }>(
      (resolve) => createInterface({ input: supervisor.stdout }).on("line", (line) => line.startsWith("{") && resolve(JSON.parse(line))),
      30_000,
      "the supervisor to report Django's process ids",
    );
    expect(isRunning(pids.reloader) && isRunning(pids.server)).toBe(true);
    supervisor.kill("SIGKILL");
    await waitUntilGone([pids.reloader, pids.server], 2000);
  });
});
