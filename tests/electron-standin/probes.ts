/**
 * What the benchmark reads from outside the shell, without a line of timing
 * code in any shell: every process the shell's main process spawns (Django,
 * its backup copy, the workers), the moment Django's SERVING line reaches the
 * shell's process, and each GET /health/ the shell's readiness poll makes (through node:http).
 * They are stand-in events like the others ("spawn", "serving-line",
 * "health-poll"), each stamped with the shell process's clock.
 */
import childProcess, { type ChildProcess } from "node:child_process";
import http, { type ClientRequest, type IncomingMessage } from "node:http";
import { syncBuiltinESMExports } from "node:module";
import { record } from "./channel.ts";

/** The contract's variables a spawn is started with (not the token), so a benchmark can start the same command alone. */
function contractVariables(env: NodeJS.ProcessEnv | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env ?? {}).filter(
      (entry): entry is [string, string] => (entry[0] === "DJANGO_SETTINGS_MODULE" || entry[0].startsWith("DESKTOP_DJANGO_")) && entry[0] !== "DESKTOP_DJANGO_AUTH_TOKEN",
    ),
  );
}

export function installProbes(): void {
  const spawn = childProcess.spawn;
  const probed = function (this: unknown, ...args: Parameters<typeof spawn>): ChildProcess {
    const before = Date.now();
    const child = (spawn as (...all: unknown[]) => ChildProcess).apply(this, args);
    const [file, argv, options] = args as [string, string[] | undefined, { cwd?: string; env?: NodeJS.ProcessEnv } | undefined];
    record("spawn", { pid: child.pid ?? null, file, args: argv ?? [], cwd: options?.cwd ?? null, env: contractVariables(options?.env), before, spawnMs: Date.now() - before });
    // Listening first, before the shell's own reader: the moment the line reaches this process.
    let seen = false;
    child.stdout?.on("data", (chunk: Buffer) => {
      if (seen || !chunk.includes("DESKTOP_DJANGO_SERVING ")) return;
      seen = true;
      record("serving-line", { pid: child.pid ?? null });
    });
    return child;
  };
  childProcess.spawn = probed as typeof spawn;
  syncBuiltinESMExports();

  // The shells' readiness poll uses node:http's get(); a probe there sees each request and when its answer arrived.
  const get = http.get;
  const probedGet = function (this: unknown, ...args: unknown[]): ClientRequest {
    const request = (get as (...all: unknown[]) => ClientRequest).apply(this, args);
    const url = args[0] instanceof URL ? args[0].href : typeof args[0] === "string" ? args[0] : "";
    if (!url.endsWith("/health/")) return request;
    const started = Date.now();
    request.once("response", (response: IncomingMessage) => record("health-poll", { started, status: response.statusCode ?? null }));
    request.once("error", (error) => record("health-poll", { started, status: null, error: error.message }));
    return request;
  };
  http.get = probedGet as typeof http.get;
  syncBuiltinESMExports();
}
