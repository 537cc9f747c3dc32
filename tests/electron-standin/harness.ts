/**
 * The test's side of the stand-in: launches a shell's compiled main process
 * under Node (host.ts) against a shared Chromium, collects what the stand-in
 * reports, answers dialogs, runs functions inside the shell's process, and
 * hands the test a Playwright Page for any of the shell's windows.
 */
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import type { HostEvent, TestCommand } from "./channel.ts";
import type { standin as StandinApi } from "./electron.ts";
import { startChromium, type RunningChromium } from "./chromium.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, "..", "..");
const hostScript = path.join(here, "host.ts");

export interface StandinEvent {
  name: string;
  data: Record<string, unknown>;
  at: number;
}

export interface Dialog {
  id: number;
  options: { type?: string; title?: string; message?: string; detail?: string; buttons?: string[] };
}

/** One Chromium for a test file, and the test's own connection to it. */
export class SharedChromium {
  private constructor(
    readonly running: RunningChromium,
    readonly browser: Browser,
  ) {}

  static async start(): Promise<SharedChromium> {
    const running = await startChromium();
    return new SharedChromium(running, await chromium.connectOverCDP(running.endpoint));
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.running.close();
  }
}

export interface LaunchOptions {
  env?: Record<string, string | undefined>;
  /** Electron's userData folder for this run (ELECTRON_STANDIN_USER_DATA). */
  userData?: string;
  /** Extra arguments after the app path, as `electron . <args>` would get them. */
  args?: string[];
}

type Context = { electron: Record<string, unknown>; standin: typeof StandinApi };

export class ShellProcess {
  readonly events: StandinEvent[] = [];
  readonly output: string[] = [];
  readonly dialogs: Dialog[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly startedAt = Date.now();
  private nextCommand = 1;
  private replies = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private changed = new Set<() => void>();

  private constructor(
    readonly shellDir: string,
    readonly child: ChildProcess,
    private readonly chromium: SharedChromium,
  ) {
    this.exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    child.on("message", (message: HostEvent) => this.receive(message));
    for (const stream of [child.stdout!, child.stderr!]) {
      let partial = "";
      stream.on("data", (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split("\n");
        partial = lines.pop()!;
        this.output.push(...lines);
        if (process.env.STANDIN_VERBOSE) for (const line of lines) console.log(`[${path.basename(shellDir)}] ${line}`);
        this.notify();
      });
    }
    void this.exited.then(() => {
      for (const { reject } of this.replies.values()) reject(new Error(`The shell's process exited.\n${this.tail()}`));
      this.notify();
    });
  }

  /** Starts `shellDir`'s dist/main.js (build it first) under the stand-in. */
  static launch(shellDir: string, chromium: SharedChromium, options: LaunchOptions = {}): ShellProcess {
    const child = fork(hostScript, [shellDir, ...(options.args ?? [])], {
      cwd: shellDir,
      execArgv: ["--import", "tsx"],
      env: {
        ...process.env,
        ELECTRON_STANDIN_CDP: chromium.running.endpoint,
        ...(options.userData ? { ELECTRON_STANDIN_USER_DATA: options.userData } : {}),
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    return new ShellProcess(shellDir, child, chromium);
  }

  private receive(message: HostEvent): void {
    if (message.type === "reply") {
      const waiting = this.replies.get(message.id);
      this.replies.delete(message.id);
      if (message.ok) waiting?.resolve(message.value);
      else waiting?.reject(new Error(message.message));
    } else if (message.type === "dialog") {
      this.dialogs.push({ id: message.id, options: message.options as Dialog["options"] });
    } else {
      this.events.push({ name: message.name, data: message.data, at: message.at ?? Date.now() });
    }
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.changed]) listener();
  }

  /** The last lines the shell printed, for failure messages. */
  tail(lines = 30): string {
    return this.output.slice(-lines).join("\n");
  }

  /** Resolves with the first value `probe` returns that is not undefined, re-checked whenever the shell reports something. */
  waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        let value: T | undefined;
        try {
          value = probe();
        } catch (error) {
          finish();
          reject(error as Error);
          return;
        }
        if (value !== undefined) {
          finish();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}.\nEvents: ${this.events.map((event) => event.name).join(", ")}\nOutput:\n${this.tail()}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.changed.delete(check);
      };
      this.changed.add(check);
      check();
    });
  }

  event(name: string, matches: (data: Record<string, unknown>) => boolean = () => true, timeoutMs?: number): Promise<StandinEvent> {
    return this.waitFor(`the "${name}" event`, () => this.events.find((event) => event.name === name && matches(event.data)), timeoutMs);
  }

  eventsNamed(name: string): StandinEvent[] {
    return this.events.filter((event) => event.name === name);
  }

  /** Calls the stand-in wants the test to fail on: members it lacks, preload errors. */
  faults(): string[] {
    return this.eventsNamed("fault").map((event) => String(event.data.message));
  }

  nextDialog(after = 0, timeoutMs?: number): Promise<Dialog> {
    return this.waitFor("a dialog", () => this.dialogs.find((dialog) => dialog.id > after), timeoutMs);
  }

  answerDialog(dialog: Dialog, response: number): void {
    this.command({ type: "answer-dialog", id: dialog.id, response });
  }

  private command(message: TestCommand): void {
    this.child.send(message);
  }

  /** Runs `fn` inside the shell's process (no closures: it is sent as source), with the stand-in at hand. */
  evaluate<R, A = undefined>(fn: (context: Context, arg: A) => R | Promise<R>, arg?: A): Promise<R> {
    const id = this.nextCommand++;
    return new Promise<R>((resolve, reject) => {
      this.replies.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.command({ type: "evaluate", id, source: fn.toString(), arg });
    });
  }

  /** The test's own Playwright handle on a window's page (the same Chromium tab the shell drives). */
  async page(windowId: number): Promise<Page> {
    const targetId = await this.evaluate(async ({ standin }, id) => {
      const window = standin.windows().find((candidate) => candidate.id === id);
      if (!window) throw new Error(`No window ${id}`);
      await window.webContents.attached;
      const info = (await window.webContents.cdp!.send("Target.getTargetInfo")) as { targetInfo: { targetId: string } };
      return info.targetInfo.targetId;
    }, windowId);
    for (let attempt = 0; attempt < 50; attempt += 1) {
      for (const context of this.chromium.browser.contexts()) {
        for (const page of context.pages()) {
          if (page.isClosed()) continue;
          const info = await context
            .newCDPSession(page)
            .then(async (session) => {
              const found = (await session.send("Target.getTargetInfo")) as { targetInfo: { targetId: string } };
              await session.detach();
              return found;
            })
            .catch(() => undefined);
          if (info?.targetInfo.targetId === targetId) return page;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`The test's connection does not see window ${windowId}'s page.`);
  }

  /** The window the shell loaded `predicate`'s URL into. */
  async windowLoading(predicate: (url: string) => boolean, timeoutMs?: number): Promise<number> {
    const event = await this.waitFor("a window loading the URL", () => this.events.find((one) => one.name === "loadURL" && predicate(String(one.data.url))), timeoutMs);
    return Number(event.data.window);
  }

  /** Every process started below the shell's process (Django, its autoreload child, workers), from `ps`. */
  descendants(): number[] {
    const table = execFileSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" })
      .trim()
      .split("\n")
      .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
    const found: number[] = [];
    const queue = [this.child.pid!];
    while (queue.length > 0) {
      const parent = queue.shift()!;
      for (const [pid, ppid] of table) {
        if (ppid === parent && !found.includes(pid)) {
          found.push(pid);
          queue.push(pid);
        }
      }
    }
    return found;
  }

  /** Django's serving info, from the DESKTOP_DJANGO_SERVING lines the shell logs. */
  serving(): Array<{ url: string; pid: number; workers: string[] }> {
    return this.output
      .map((line) => /DESKTOP_DJANGO_SERVING (\{.*\})/.exec(line)?.[1])
      .filter((json): json is string => json !== undefined)
      .map((json) => JSON.parse(json) as { url: string; pid: number; workers: string[] });
  }

  /** Ends the shell's process if a test left it running (never needed when the test passed). */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const left = this.descendants();
    this.child.kill("SIGKILL");
    await this.exited;
    for (const pid of left) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
