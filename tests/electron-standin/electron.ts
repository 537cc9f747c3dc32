/**
 * The test stand-in for Electron's main-process API. A shell's compiled,
 * unmodified dist/main.js runs under plain Node with `require("electron")`
 * resolved to this module (host.ts does that). It implements only what the
 * shells use, and it is real where it can be:
 *
 * - a BrowserWindow is a real Chromium page; loadURL/loadFile load for real;
 * - every request a window makes passes through Chromium's Fetch interception,
 *   where will-frame-navigate / will-navigate / will-redirect fire from the
 *   real navigation (preventDefault aborts it) and the shell's own
 *   onBeforeSendHeaders listener decides the headers that are sent;
 * - window.open and target=_blank go to the shell's window-open handler;
 * - the preload runs like a sandboxed preload (preloadScript.ts), and
 *   ipcRenderer.invoke reaches ipcMain.handle with the caller's real URL;
 * - the single-instance lock is a lock file and a socket between processes;
 * - dialogs wait for the test's answer; shell.openExternal/openPath and the
 *   application menu are recorded, and the test can click menu items.
 *
 * Reading anything else throws MissingMember and fails the test (strict.ts).
 */
import { EventEmitter } from "node:events";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";
import { askDialog, record } from "./channel.ts";
import { preloadInitScript } from "./preloadScript.ts";
import { missing, reportFault, strict } from "./strict.ts";
import { urlFilter } from "./urlFilter.ts";

/** Set by host.ts: the running shell's folder (Electron's app path) and how to reach Chromium. */
export interface StandinConfig {
  appPath: string;
  openBrowser: () => Promise<Browser>;
}

let config: StandinConfig | undefined;
export function configure(value: StandinConfig): void {
  config = value;
}

class PreventableEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

/** The page side of input-event: DOM events, in the capture phase, named as Electron names its input events. */
function inputInitScript(binding: string): string {
  const types = { mousedown: "mouseDown", keydown: "rawKeyDown", touchstart: "touchStart" };
  return `(() => { const report = globalThis[${JSON.stringify(binding)}]; for (const [dom, type] of Object.entries(${JSON.stringify(types)})) addEventListener(dom, () => void report(type), true); })();`;
}

function preventable<T extends object>(extra: T = {} as T): PreventableEvent & T {
  return Object.assign(new PreventableEvent(), extra);
}

// ---------------------------------------------------------------- app

interface PackageFacts {
  name: string;
  version: string;
}

function packageFacts(): PackageFacts {
  const file = path.join(config!.appPath, "package.json");
  const json = JSON.parse(readFileSync(file, "utf8")) as { name?: string; productName?: string; version?: string };
  return { name: json.productName ?? json.name ?? "Electron", version: json.version ?? "0.0.0" };
}

class App extends EventEmitter {
  private ready = false;
  private readyPromise: Promise<void> | undefined;
  private quitting = false;
  exiting = false;
  private paths = new Map<string, string>();
  private lockFile: string | undefined;
  private lockServer: Server | undefined;
  private handingOver: Promise<void> = Promise.resolve();
  browser: Browser | undefined;
  context: BrowserContext | undefined;

  get isPackaged(): boolean {
    return process.env.ELECTRON_STANDIN_PACKAGED === "1";
  }

  get name(): string {
    return packageFacts().name;
  }

  getName(): string {
    return this.name;
  }

  getVersion(): string {
    return packageFacts().version;
  }

  getAppPath(): string {
    return config!.appPath;
  }

  getLocale(): string {
    return "en-US";
  }

  /** Electron's paths on Linux; userData can be moved with ELECTRON_STANDIN_USER_DATA (tests keep each run apart). */
  getPath(name: string): string {
    const set = this.paths.get(name);
    if (set) return set;
    const home = os.homedir();
    const appData = process.env.XDG_CONFIG_HOME ?? path.join(home, ".config");
    switch (name) {
      case "home":
        return home;
      case "appData":
        return appData;
      case "userData":
        return process.env.ELECTRON_STANDIN_USER_DATA ?? path.join(appData, this.name);
      case "sessionData":
        return this.getPath("userData");
      case "logs":
        return path.join(this.getPath("userData"), "logs");
      case "temp":
        return os.tmpdir();
      case "exe":
        return process.execPath;
      case "desktop":
      case "documents":
      case "downloads":
        return path.join(home, name[0]!.toUpperCase() + name.slice(1));
      default:
        throw new Error(`Failed to get '${name}' path`);
    }
  }

  setPath(name: string, value: string): void {
    this.paths.set(name, value);
  }

  isReady(): boolean {
    return this.ready;
  }

  whenReady(): Promise<void> {
    this.readyPromise ??= (async () => {
      // Electron is ready after the main script's first turn; the shells rely on that order.
      await new Promise((resolve) => setImmediate(resolve));
      this.browser = await config!.openBrowser();
      this.context = await this.browser.newContext();
      this.ready = true;
      record("ready");
      this.emit("ready", preventable(), {});
    })();
    return this.readyPromise;
  }

  focus(): void {
    record("app-focus");
  }

  setAppUserModelId(id: string): void {
    record("app-user-model-id", { id });
  }

  /**
   * Chromium's way: a lock file in userData naming the owner's pid, and a
   * socket next to it through which a second instance hands over its argv.
   */
  requestSingleInstanceLock(additionalData?: unknown): boolean {
    const dir = this.getPath("userData");
    mkdirSync(dir, { recursive: true });
    const lockFile = path.join(dir, "SingletonLock");
    const socketFile = path.join(dir, "SingletonSocket");
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const fd = openSync(lockFile, "wx");
        writeSync(fd, String(process.pid));
        closeSync(fd);
        this.lockFile = lockFile;
        rmSync(socketFile, { force: true });
        this.lockServer = createServer((socket) => {
          let text = "";
          socket.on("data", (chunk) => (text += chunk.toString()));
          socket.on("end", () => {
            const message = JSON.parse(text) as { argv: string[]; cwd: string; additionalData?: unknown };
            record("second-instance", { argv: message.argv });
            this.emit("second-instance", preventable(), message.argv, message.cwd, message.additionalData);
            socket.end();
          });
        }).listen(socketFile);
        this.lockServer.unref();
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const owner = Number(readFileSync(lockFile, "utf8"));
        if (!isAlive(owner)) {
          rmSync(lockFile, { force: true });
          continue;
        }
        this.handingOver = new Promise<void>((resolve) => {
          const socket = createConnection(socketFile, () => socket.end(JSON.stringify({ argv: process.argv, cwd: process.cwd(), additionalData })));
          socket.on("close", () => resolve());
          socket.on("error", () => resolve());
        });
        return false;
      }
    }
    return false;
  }

  hasSingleInstanceLock(): boolean {
    return this.lockFile !== undefined;
  }

  releaseSingleInstanceLock(): void {
    this.lockServer?.close();
    if (this.lockFile) rmSync(this.lockFile, { force: true });
    this.lockFile = undefined;
  }

  /** before-quit, then every window's close, then will-quit; any of them can stop the quit. */
  quit(): void {
    if (this.quitting) return;
    this.quitting = true;
    void this.runQuit();
  }

  private async runQuit(): Promise<void> {
    await this.handingOver;
    const beforeQuit = preventable();
    this.emit("before-quit", beforeQuit);
    if (beforeQuit.defaultPrevented) return void (this.quitting = false);
    for (const window of [...allWindows]) {
      if (!window.closeForQuit()) return void (this.quitting = false);
    }
    const willQuit = preventable();
    this.emit("will-quit", willQuit);
    if (willQuit.defaultPrevented) return void (this.quitting = false);
    this.emit("quit", preventable(), 0);
    await this.exit(0);
  }

  async exit(code = 0): Promise<void> {
    this.exiting = true;
    record("exit", { code });
    this.releaseSingleInstanceLock();
    await this.context?.close().catch(() => undefined);
    await this.browser?.close().catch(() => undefined);
    process.exit(code);
  }

  /** Called when the last window is gone: window-all-closed, or Electron's default of quitting. */
  lastWindowClosed(): void {
    if (this.quitting) return;
    if (this.listenerCount("window-all-closed") > 0) this.emit("window-all-closed");
    else this.quit();
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const app = strict(new App(), "app");

// ---------------------------------------------------------------- session

type HeadersListener = (details: Record<string, unknown>, callback: (response: { cancel?: boolean; requestHeaders?: Record<string, string | string[]> }) => void) => void;
type PermissionHandler = (...args: unknown[]) => unknown;

class WebRequest {
  beforeSendHeaders: { matches: (url: string) => boolean; listener: HeadersListener } | undefined;

  onBeforeSendHeaders(filterOrListener: { urls?: string[] } | HeadersListener | null, maybeListener?: HeadersListener | null): void {
    const listener = typeof filterOrListener === "function" || filterOrListener === null ? filterOrListener : maybeListener;
    const filter = typeof filterOrListener === "object" && filterOrListener !== null ? filterOrListener : undefined;
    this.beforeSendHeaders = listener ? { matches: urlFilter(filter), listener } : undefined;
    record("webRequest.onBeforeSendHeaders", { urls: filter?.urls ?? [], registered: Boolean(listener) });
  }
}

class Session {
  webRequest = strict(new WebRequest(), "session.webRequest");
  permissionRequestHandler: PermissionHandler | null = null;
  permissionCheckHandler: PermissionHandler | null = null;

  setPermissionRequestHandler(handler: PermissionHandler | null): void {
    this.permissionRequestHandler = handler;
    record("session.setPermissionRequestHandler", { registered: Boolean(handler) });
  }

  setPermissionCheckHandler(handler: PermissionHandler | null): void {
    this.permissionCheckHandler = handler;
    record("session.setPermissionCheckHandler", { registered: Boolean(handler) });
  }

  /**
   * What the session answers when a page asks for a permission: the shell's
   * handler, or Electron's default (granted) when it installed none.
   * Headless Chromium answers pages' permission prompts itself, so tests ask here.
   */
  requestPermission(webContents: WebContents, permission: string, details: Record<string, unknown> = {}): Promise<boolean> {
    const handler = this.permissionRequestHandler;
    if (!handler) return Promise.resolve(true);
    return new Promise((resolve) => handler(webContents, permission, resolve, { requestingUrl: webContents.getURL(), ...details }));
  }

  checkPermission(webContents: WebContents | null, permission: string, requestingOrigin: string, details: Record<string, unknown> = {}): boolean {
    const handler = this.permissionCheckHandler;
    if (!handler) return true;
    return handler(webContents, permission, requestingOrigin, { requestingUrl: requestingOrigin, ...details }) === true;
  }
}

const defaultSession = strict(new Session(), "session.defaultSession");

export const session = strict(
  {
    get defaultSession(): Session {
      if (!app.isReady()) throw new Error("session.defaultSession is only available after the app is ready.");
      return defaultSession;
    },
  },
  "session",
);

// ---------------------------------------------------------------- protocol

type ProtocolHandler = (request: Request) => Response | Promise<Response>;
const protocolHandlers = new Map<string, ProtocolHandler>();

export const protocol = strict(
  {
    registerSchemesAsPrivileged(schemes: unknown[]): void {
      if (app.isReady()) throw new Error("protocol.registerSchemesAsPrivileged should be called before app is ready");
      record("protocol.registerSchemesAsPrivileged", { schemes });
    },
    handle(scheme: string, handler: ProtocolHandler): void {
      if (protocolHandlers.has(scheme)) throw new Error(`Failed to register protocol: ${scheme}`);
      protocolHandlers.set(scheme, handler);
      record("protocol.handle", { scheme });
    },
    unhandle(scheme: string): void {
      protocolHandlers.delete(scheme);
    },
    isProtocolHandled(scheme: string): boolean {
      return protocolHandlers.has(scheme);
    },
  },
  "protocol",
);

/**
 * A page from a scheme the shell handles with protocol.handle: the shell's
 * handler answers, and Chromium shows that answer as a data: document
 * (Chromium outside Electron cannot register a scheme). getURL() reports the
 * shell's URL.
 */
async function viaProtocolHandler(url: string): Promise<string | undefined> {
  const handler = protocolHandlers.get(new URL(url).protocol.slice(0, -1));
  if (!handler) return undefined;
  const response = await handler(new Request(url));
  if (!response.ok) throw new Error(`ERR_FAILED: the protocol handler answered ${response.status} for '${url}'`);
  const type = response.headers.get("content-type") ?? "text/html";
  return `data:${type};base64,${Buffer.from(await response.arrayBuffer()).toString("base64")}`;
}

// ---------------------------------------------------------------- ipcMain

type InvokeHandler = (event: Record<string, unknown>, ...args: unknown[]) => unknown;
const invokeHandlers = new Map<string, InvokeHandler>();

export const ipcMain = strict(
  {
    handle(channel: string, handler: InvokeHandler): void {
      if (invokeHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      invokeHandlers.set(channel, handler);
      record("ipcMain.handle", { channel });
    },
    handleOnce(channel: string, handler: InvokeHandler): void {
      ipcMain.handle(channel, (event, ...args) => {
        invokeHandlers.delete(channel);
        return handler(event, ...args);
      });
    },
    removeHandler(channel: string): void {
      invokeHandlers.delete(channel);
    },
  },
  "ipcMain",
);

// ---------------------------------------------------------------- windows

let nextWindowId = 1;
let nextWebContentsId = 1;
let nextRequestId = 1;
const allWindows = new Set<BrowserWindowImpl>();
let focusedWindow: BrowserWindowImpl | undefined;

interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface WebPreferences {
  preload?: string;
  contextIsolation?: boolean;
  sandbox?: boolean;
  nodeIntegration?: boolean;
  nodeIntegrationInSubFrames?: boolean;
  devTools?: boolean;
  webSecurity?: boolean;
}

type WindowOpenHandler = (details: Record<string, unknown>) => { action: "allow" | "deny"; overrideBrowserWindowOptions?: unknown };

/** CDP's resource types, as Electron's webRequest names them. */
function resourceType(type: string, mainFrame: boolean): string {
  const names: Record<string, string> = {
    Stylesheet: "stylesheet",
    Script: "script",
    Image: "image",
    Font: "font",
    XHR: "xhr",
    Fetch: "xhr",
    Media: "media",
    WebSocket: "webSocket",
    Ping: "ping",
    CSPViolationReport: "cspReport",
  };
  if (type === "Document") return mainFrame ? "mainFrame" : "subFrame";
  return names[type] ?? "other";
}

interface PausedRequest {
  requestId: string;
  request: { url: string; method: string; headers: Record<string, string>; postData?: string };
  frameId: string;
  resourceType: string;
  redirectedRequestId?: string;
}

class WebContents extends EventEmitter {
  readonly id = nextWebContentsId++;
  readonly session = defaultSession;
  page: Page | undefined;
  cdp: CDPSession | undefined;
  readonly attached: Promise<Page>;
  private windowOpenHandler: WindowOpenHandler | undefined;
  private mainFrameId = "";
  private expected: string | undefined;
  private shownUrl: string | undefined;
  private title = "";
  private destroyed = false;
  private devToolsOpened = false;
  private windowOpenDecisions: Array<"allow" | "deny"> = [];
  private popupsWaiting: Page[] = [];

  constructor(
    readonly owner: BrowserWindowImpl,
    readonly preferences: WebPreferences,
    size: { width: number; height: number },
  ) {
    super();
    if (preferences.nodeIntegration === true || preferences.contextIsolation === false || preferences.sandbox === false) {
      missing("BrowserWindow with nodeIntegration, without contextIsolation or without the sandbox (the stand-in runs only sandboxed, isolated pages)");
    }
    this.attached = this.attach(size);
    this.attached.catch((error: Error) => {
      // A window closed, or an app quitting, while its page was still being made is no fault.
      if (!this.destroyed && !app.exiting) reportFault(`A window's page could not be created: ${error.message}`);
    });
  }

  private async attach(size: { width: number; height: number }): Promise<Page> {
    const context = app.context!;
    const page = await context.newPage();
    this.page = page;
    await page.setViewportSize(size);
    if (this.preferences.preload) {
      const source = readFileSync(this.preferences.preload, "utf8");
      const suffix = Math.random().toString(36).slice(2);
      const invokeName = `__standinInvoke_${suffix}`;
      const faultName = `__standinFault_${suffix}`;
      await page.exposeBinding(invokeName, (caller, channel: string, args: unknown[]) => this.invoke(caller.frame.url(), channel, args));
      await page.exposeBinding(faultName, (_caller, message: string) => reportFault(message));
      await page.addInitScript({ content: preloadInitScript(source, invokeName, faultName) });
    }
    // Electron's input-event: the user's clicks, keys and taps on the page, seen
    // before the page handles them (the shells let a link open in the system
    // browser only right after one). Reported from a capturing listener.
    const inputName = `__standinInput_${Math.random().toString(36).slice(2)}`;
    await page.exposeBinding(inputName, (_caller, type: string) => {
      record("input-event", { window: this.owner.id, type });
      this.emit("input-event", preventable(), { type });
    });
    await page.addInitScript({ content: inputInitScript(inputName) });
    const cdp = await context.newCDPSession(page);
    this.cdp = cdp;
    const tree = (await cdp.send("Page.getFrameTree")) as { frameTree: { frame: { id: string } } };
    this.mainFrameId = tree.frameTree.frame.id;
    cdp.on("Fetch.requestPaused", (event) => void this.onRequest(event as unknown as PausedRequest).catch((error: Error) => reportFault(`Request handling failed: ${error.stack}`)));
    cdp.on("Page.windowOpen", (event) => this.onWindowOpen(event as { url: string; windowName: string; windowFeatures: string[] }));
    await cdp.send("Page.enable");
    await cdp.send("Fetch.enable", { patterns: [{ urlPattern: "*", requestStage: "Request" }] });
    page.on("domcontentloaded", () => this.emit("dom-ready", preventable()));
    page.on("load", () => void this.loaded());
    page.on("popup", (popup) => this.onPopup(popup));
    return page;
  }

  private async loaded(): Promise<void> {
    if (!this.page || this.page.isClosed()) return;
    this.title = await this.page.title().catch(() => this.title);
    record("did-finish-load", { window: this.owner.id, url: this.getURL(), title: this.title });
    this.emit("did-finish-load", preventable());
    this.owner.firstLoad();
  }

  /** Every request the page makes: navigation guards first, then the session's header listener. */
  private async onRequest(event: PausedRequest): Promise<void> {
    const cdp = this.cdp!;
    const { request } = event;
    const isMainFrame = event.frameId === this.mainFrameId;
    if (event.resourceType === "Document") {
      const verdict = this.navigationEvent(request.url, isMainFrame, event.redirectedRequestId !== undefined);
      if (verdict === "deny") {
        record("navigation-prevented", { window: this.owner.id, url: request.url, isMainFrame });
        await cdp.send("Fetch.failRequest", { requestId: event.requestId, errorReason: "Aborted" }).catch(() => undefined);
        return;
      }
    }
    const headersListener = defaultSession.webRequest.beforeSendHeaders;
    if (!headersListener || !headersListener.matches(request.url)) {
      await cdp.send("Fetch.continueRequest", { requestId: event.requestId }).catch(() => undefined);
      return;
    }
    const details = {
      id: nextRequestId++,
      url: request.url,
      method: request.method,
      webContentsId: this.id,
      webContents: strictContents(this),
      frame: null,
      resourceType: resourceType(event.resourceType, isMainFrame),
      referrer: request.headers.Referer ?? "",
      timestamp: Date.now(),
      requestHeaders: { ...request.headers },
      ...(request.postData !== undefined ? { uploadData: [{ bytes: Buffer.from(request.postData) }] } : {}),
    };
    const response = await new Promise<{ cancel?: boolean; requestHeaders?: Record<string, string | string[]> }>((resolve) =>
      headersListener.listener(details, (answer) => resolve(answer ?? {})),
    );
    if (response.cancel) {
      await cdp.send("Fetch.failRequest", { requestId: event.requestId, errorReason: "BlockedByClient" }).catch(() => undefined);
      return;
    }
    const headers = response.requestHeaders
      ? Object.entries(response.requestHeaders).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((one) => ({ name, value: String(one) })))
      : undefined;
    await cdp.send("Fetch.continueRequest", { requestId: event.requestId, ...(headers ? { headers } : {}) }).catch(() => undefined);
  }

  /**
   * Electron's navigation events for one navigation request: none for the
   * shell's own loadURL/reload; will-frame-navigate, then (main frame)
   * will-navigate for a navigation the page started; will-redirect for each
   * server redirect.
   */
  private navigationEvent(url: string, isMainFrame: boolean, isRedirect: boolean): "allow" | "deny" {
    if (isRedirect) {
      const event = preventable({ url, isMainFrame, isSameDocument: false });
      this.emit("will-redirect", event, url, false, isMainFrame, 0, 0);
      return event.defaultPrevented ? "deny" : "allow";
    }
    if (isMainFrame && this.expected !== undefined && sameUrl(this.expected, url)) {
      this.expected = undefined;
      return "allow";
    }
    const frameEvent = preventable({ url, isMainFrame, isSameDocument: false, frame: null, initiator: null });
    this.emit("will-frame-navigate", frameEvent);
    if (frameEvent.defaultPrevented) return "deny";
    if (!isMainFrame) return "allow";
    const event = preventable({ url, isSameDocument: false, isMainFrame: true, frame: null, initiator: null });
    this.emit("will-navigate", event, url);
    return event.defaultPrevented ? "deny" : "allow";
  }

  private onWindowOpen(event: { url: string; windowName: string; windowFeatures: string[] }): void {
    const details = {
      url: event.url,
      frameName: event.windowName,
      features: event.windowFeatures.join(","),
      disposition: event.windowFeatures.length > 0 ? "new-window" : "foreground-tab",
      referrer: { url: this.getURL(), policy: "strict-origin-when-cross-origin" },
    };
    const decision = this.windowOpenHandler ? this.windowOpenHandler(details) : { action: "allow" as const };
    record("window-open", { window: this.owner.id, url: event.url, action: decision.action });
    this.windowOpenDecisions.push(decision.action);
    this.pairPopups();
  }

  private onPopup(popup: Page): void {
    this.popupsWaiting.push(popup);
    this.pairPopups();
  }

  /** Chromium has already made the popup when the handler decides; a denied one is closed at once. */
  private pairPopups(): void {
    while (this.popupsWaiting.length > 0 && this.windowOpenDecisions.length > 0) {
      const popup = this.popupsWaiting.shift()!;
      const action = this.windowOpenDecisions.shift()!;
      if (action === "deny") void popup.close().catch(() => undefined);
      else {
        void popup.close().catch(() => undefined);
        missing("new windows from window.open (the window-open handler answered allow)");
      }
    }
  }

  private async invoke(url: string, channel: string, args: unknown[]): Promise<{ ok: true; value: unknown } | { ok: false; message: string }> {
    const handler = invokeHandlers.get(channel);
    record("ipc-invoke", { channel, senderUrl: url });
    if (!handler) return { ok: false, message: `Error: No handler registered for '${channel}'` };
    const event = {
      sender: strictContents(this),
      senderFrame: strict({ url, origin: safeOrigin(url), name: "", routingId: 0, processId: 0, top: null, parent: null }, "WebFrameMain"),
      processId: 0,
      frameId: 0,
    };
    try {
      return { ok: true, value: await handler(strict(event, "IpcMainInvokeEvent"), ...args) };
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      record("ipc-invoke-refused", { channel, senderUrl: url, message });
      return { ok: false, message };
    }
  }

  setWindowOpenHandler(handler: WindowOpenHandler | null): void {
    this.windowOpenHandler = handler ?? undefined;
  }

  /** The shell's own navigation: no will-navigate, as in Electron. Resolves when the page has loaded. */
  async loadURL(url: string): Promise<void> {
    const page = await this.attached;
    const target = (await viaProtocolHandler(url)) ?? url;
    this.shownUrl = target === url ? undefined : url;
    this.expected = target;
    record("loadURL", { window: this.owner.id, url });
    try {
      await page.goto(target, { waitUntil: "load", timeout: 0 });
    } catch (error) {
      throw new Error(`ERR_FAILED loading '${url}': ${(error as Error).message.split("\n")[0]}`);
    }
  }

  loadFile(file: string, options: { query?: Record<string, string>; search?: string; hash?: string } = {}): Promise<void> {
    const url = pathToFileURL(path.resolve(file));
    if (options.query) url.search = new URLSearchParams(options.query).toString();
    if (options.search) url.search = options.search;
    if (options.hash) url.hash = options.hash;
    return this.loadURL(url.href);
  }

  reload(): void {
    void this.attached.then(async (page) => {
      this.expected = page.url();
      await page.reload({ timeout: 0 }).catch(() => undefined);
    });
  }

  reloadIgnoringCache(): void {
    this.reload();
  }

  getURL(): string {
    if (this.shownUrl) return this.shownUrl;
    const url = this.page?.url() ?? "";
    return url === "about:blank" ? "" : url;
  }

  getTitle(): string {
    return this.title || this.getURL();
  }

  isLoading(): boolean {
    return false;
  }

  async executeJavaScript(code: string): Promise<unknown> {
    const page = await this.attached;
    return page.evaluate(code);
  }

  openDevTools(): void {
    if (this.preferences.devTools === false) return;
    this.devToolsOpened = true;
    record("devtools-opened", { window: this.owner.id });
  }

  closeDevTools(): void {
    this.devToolsOpened = false;
  }

  isDevToolsOpened(): boolean {
    return this.devToolsOpened;
  }

  toggleDevTools(): void {
    if (this.devToolsOpened) this.closeDevTools();
    else this.openDevTools();
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  async destroyPage(): Promise<void> {
    this.destroyed = true;
    this.emit("destroyed");
    const page = await this.attached.catch(() => undefined);
    await page?.close().catch(() => undefined);
  }
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "null";
  }
}

const strictContentsCache = new WeakMap<WebContents, WebContents>();
function strictContents(contents: WebContents): WebContents {
  let wrapped = strictContentsCache.get(contents);
  if (!wrapped) {
    wrapped = strict(contents, "webContents");
    strictContentsCache.set(contents, wrapped);
  }
  return wrapped;
}

interface WindowOptions {
  width?: number;
  height?: number;
  x?: number;
  y?: number;
  show?: boolean;
  title?: string;
  webPreferences?: WebPreferences;
  [option: string]: unknown;
}

class BrowserWindowImpl extends EventEmitter {
  readonly id = nextWindowId++;
  readonly webContents: WebContents;
  private bounds: Bounds;
  private normalBounds: Bounds;
  private visible: boolean;
  private maximized = false;
  private minimized = false;
  private destroyed = false;
  private shownOnce = false;
  private title: string | undefined;
  private self: BrowserWindowImpl;
  /** The object itself: methods run with `this` as the strict proxy, and the window registry holds the object. */
  private raw: BrowserWindowImpl;

  constructor(options: WindowOptions = {}) {
    super();
    if (!app.isReady()) throw new Error("Cannot create BrowserWindow before app is ready");
    const display = displays()[0]!.workArea;
    const width = options.width ?? 800;
    const height = options.height ?? 600;
    this.bounds = {
      x: options.x ?? Math.round(display.x + (display.width - width) / 2),
      y: options.y ?? Math.round(display.y + (display.height - height) / 2),
      width,
      height,
    };
    this.normalBounds = { ...this.bounds };
    this.raw = this;
    this.title = options.title;
    this.visible = options.show !== false;
    this.webContents = strictContents(new WebContents(this, options.webPreferences ?? {}, { width, height }));
    this.self = strict(this, "BrowserWindow");
    allWindows.add(this);
    record("window-created", { window: this.id, options: JSON.parse(JSON.stringify(options)) as unknown });
    app.emit("browser-window-created", preventable(), this.self);
    app.emit("web-contents-created", preventable(), this.webContents);
    if (this.visible) this.show();
    return this.self;
  }

  static getAllWindows(): BrowserWindowImpl[] {
    return [...allWindows].map((window) => window.self);
  }

  static getFocusedWindow(): BrowserWindowImpl | null {
    return focusedWindow && !focusedWindow.destroyed ? focusedWindow.self : null;
  }

  static fromWebContents(contents: WebContents): BrowserWindowImpl | null {
    return [...allWindows].find((window) => window.webContents === contents)?.self ?? null;
  }

  static fromId(id: number): BrowserWindowImpl | null {
    return [...allWindows].find((window) => window.id === id)?.self ?? null;
  }

  firstLoad(): void {
    if (this.shownOnce || this.destroyed) return;
    this.shownOnce = true;
    this.emit("ready-to-show", preventable());
  }

  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }

  loadFile(file: string, options?: { query?: Record<string, string>; search?: string; hash?: string }): Promise<void> {
    return this.webContents.loadFile(file, options);
  }

  show(): void {
    if (this.destroyed) return;
    this.visible = true;
    this.minimized = false;
    focusedWindow = this.raw;
    record("window-shown", { window: this.id });
    this.emit("show");
    void this.webContents.attached.then((page) => page.bringToFront()).catch(() => undefined);
  }

  hide(): void {
    this.visible = false;
    record("window-hidden", { window: this.id });
    this.emit("hide");
  }

  isVisible(): boolean {
    return this.visible && !this.minimized;
  }

  focus(): void {
    focusedWindow = this.raw;
    record("window-focused", { window: this.id });
    this.emit("focus");
    void this.webContents.attached.then((page) => page.bringToFront()).catch(() => undefined);
  }

  isFocused(): boolean {
    return focusedWindow === this.raw;
  }

  minimize(): void {
    this.minimized = true;
    this.emit("minimize");
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  restore(): void {
    this.minimized = false;
    if (this.maximized) this.unmaximize();
    this.emit("restore");
  }

  maximize(): void {
    if (this.maximized) return;
    this.normalBounds = { ...this.bounds };
    this.maximized = true;
    this.resizeTo(displays()[0]!.workArea);
    this.emit("maximize");
  }

  unmaximize(): void {
    if (!this.maximized) return;
    this.maximized = false;
    this.resizeTo(this.normalBounds);
    this.emit("unmaximize");
  }

  isMaximized(): boolean {
    return this.maximized;
  }

  getBounds(): Bounds {
    return { ...this.bounds };
  }

  getNormalBounds(): Bounds {
    return this.maximized ? { ...this.normalBounds } : { ...this.bounds };
  }

  getSize(): [number, number] {
    return [this.bounds.width, this.bounds.height];
  }

  getPosition(): [number, number] {
    return [this.bounds.x, this.bounds.y];
  }

  /** Moves and resizes the window; its page's viewport follows the size. */
  setBounds(bounds: Partial<Bounds>): void {
    this.resizeTo({ ...this.bounds, ...bounds });
    if (!this.maximized) this.normalBounds = { ...this.bounds };
    this.emit("resize");
    this.emit("move");
  }

  private resizeTo(bounds: Bounds): void {
    this.bounds = { ...bounds };
    void this.webContents.attached.then((page) => page.setViewportSize({ width: bounds.width, height: bounds.height })).catch(() => undefined);
  }

  setTitle(title: string): void {
    this.title = title;
  }

  getTitle(): string {
    return this.title ?? this.webContents.getTitle();
  }

  setProgressBar(progress: number): void {
    record("progress-bar", { window: this.id, progress });
  }

  /** close: the window's "close" event may cancel it. */
  close(): void {
    if (this.destroyed) return;
    const event = preventable();
    this.emit("close", event);
    if (event.defaultPrevented) return;
    this.destroy();
  }

  /** For app.quit(): returns false when a "close" listener kept the window open. */
  closeForQuit(): boolean {
    if (this.destroyed) return true;
    const event = preventable();
    this.emit("close", event);
    if (event.defaultPrevented) return false;
    this.destroyNow(false);
    return true;
  }

  destroy(): void {
    this.destroyNow(true);
  }

  private destroyNow(notifyApp: boolean): void {
    if (this.destroyed) return;
    this.destroyed = true;
    allWindows.delete(this.raw);
    if (focusedWindow === this.raw) focusedWindow = undefined;
    void this.webContents.destroyPage();
    record("window-closed", { window: this.id });
    this.emit("closed");
    if (notifyApp && allWindows.size === 0) app.lastWindowClosed();
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export const BrowserWindow = strict(BrowserWindowImpl, "BrowserWindow");

// ---------------------------------------------------------------- screen

interface Display {
  id: number;
  bounds: Bounds;
  workArea: Bounds;
  scaleFactor: number;
  rotation: number;
  internal: boolean;
}

/** One 1920x1080 screen, or the list in ELECTRON_STANDIN_DISPLAYS (JSON of {bounds, workArea}). */
function displays(): Display[] {
  const configured = process.env.ELECTRON_STANDIN_DISPLAYS;
  const areas = configured
    ? (JSON.parse(configured) as Array<{ bounds: Bounds; workArea?: Bounds }>)
    : [{ bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1048 } }];
  return areas.map((area, index) => ({ id: index + 1, bounds: area.bounds, workArea: area.workArea ?? area.bounds, scaleFactor: 1, rotation: 0, internal: false }));
}

function readyScreen(): void {
  if (!app.isReady()) throw new Error("The 'screen' module can't be used before the app 'ready' event");
}

export const screen = strict(
  {
    getAllDisplays(): Display[] {
      readyScreen();
      return displays();
    },
    getPrimaryDisplay(): Display {
      readyScreen();
      return displays()[0]!;
    },
    getDisplayNearestPoint(point: { x: number; y: number }): Display {
      readyScreen();
      const all = displays();
      return all.find((display) => point.x >= display.bounds.x && point.x < display.bounds.x + display.bounds.width && point.y >= display.bounds.y && point.y < display.bounds.y + display.bounds.height) ?? all[0]!;
    },
    getDisplayMatching(rect: Bounds): Display {
      return screen.getDisplayNearestPoint({ x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 });
    },
  },
  "screen",
);

// ---------------------------------------------------------------- dialog, shell, Notification

export const dialog = strict(
  {
    /** Recorded and sent to the test, which chooses the button; until then the promise waits, as a user would make it. */
    async showMessageBox(windowOrOptions: unknown, maybeOptions?: Record<string, unknown>): Promise<{ response: number; checkboxChecked: boolean }> {
      const options = (maybeOptions ?? windowOrOptions) as Record<string, unknown>;
      record("dialog.showMessageBox", { options });
      return askDialog(options);
    },
    showErrorBox(title: string, content: string): void {
      record("dialog.showErrorBox", { title, content });
    },
  },
  "dialog",
);

export const shell = strict(
  {
    /** Recorded; nothing is opened. */
    async openExternal(url: string, options?: unknown): Promise<void> {
      record("shell.openExternal", { url, options: options ?? null });
    },
    /** Recorded; nothing is opened. Resolves with "" (no error), as Electron does on success. */
    async openPath(target: string): Promise<string> {
      record("shell.openPath", { path: target, exists: existsSync(target) });
      return "";
    },
    showItemInFolder(target: string): void {
      record("shell.showItemInFolder", { path: target });
    },
  },
  "shell",
);

class NotificationImpl extends EventEmitter {
  static isSupported(): boolean {
    return true;
  }

  constructor(readonly options: Record<string, unknown> = {}) {
    super();
    return strict(this, "Notification");
  }

  show(): void {
    record("notification", { options: this.options });
  }
}

export const Notification = strict(NotificationImpl, "Notification");

// ---------------------------------------------------------------- Menu

interface MenuItemOptions {
  label?: string;
  role?: string;
  type?: string;
  id?: string;
  accelerator?: string;
  enabled?: boolean;
  visible?: boolean;
  click?: (item: unknown, window: unknown, event: unknown) => void;
  submenu?: MenuItemOptions[] | MenuImpl;
}

/** Electron's labels for the roles the shells use, and the items its menu roles fill in (on Linux and Windows). */
const ROLE_LABELS: Record<string, string> = {
  fileMenu: "File",
  editMenu: "Edit",
  viewMenu: "View",
  windowMenu: "Window",
  help: "Help",
  quit: "Quit",
  close: "Close Window",
  undo: "Undo",
  redo: "Redo",
  cut: "Cut",
  copy: "Copy",
  paste: "Paste",
  pasteAndMatchStyle: "Paste and Match Style",
  delete: "Delete",
  selectAll: "Select All",
  reload: "Reload",
  forceReload: "Force Reload",
  toggleDevTools: "Toggle Developer Tools",
  resetZoom: "Actual Size",
  zoomIn: "Zoom In",
  zoomOut: "Zoom Out",
  togglefullscreen: "Toggle Full Screen",
  minimize: "Minimize",
  zoom: "Zoom",
  about: "About",
  hide: "Hide",
  hideOthers: "Hide Others",
  unhide: "Show All",
  services: "Services",
  front: "Bring All to Front",
};

const ROLE_SUBMENUS: Record<string, string[]> = {
  appMenu: ["about", "separator", "services", "separator", "hide", "hideOthers", "unhide", "separator", "quit"],
  fileMenu: [process.platform === "darwin" ? "close" : "quit"],
  editMenu: ["undo", "redo", "separator", "cut", "copy", "paste", "delete", "separator", "selectAll"],
  viewMenu: ["reload", "forceReload", "toggleDevTools", "separator", "resetZoom", "zoomIn", "zoomOut", "separator", "togglefullscreen"],
  windowMenu: ["minimize", "zoom", process.platform === "darwin" ? "front" : "close"],
};

class MenuItem {
  label: string;
  role: string | undefined;
  type: string;
  id: string | undefined;
  enabled: boolean;
  visible: boolean;
  accelerator: string | undefined;
  submenu: MenuImpl | undefined;
  private readonly clickHandler: MenuItemOptions["click"];

  constructor(options: MenuItemOptions) {
    this.role = options.role;
    this.type = options.type ?? (options.submenu || (options.role && ROLE_SUBMENUS[options.role]) ? "submenu" : "normal");
    this.label = options.label ?? (options.role ? (options.role === "appMenu" ? app.name : (ROLE_LABELS[options.role] ?? options.role)) : "");
    this.id = options.id;
    this.enabled = options.enabled ?? true;
    this.visible = options.visible ?? true;
    this.accelerator = options.accelerator;
    this.clickHandler = options.click;
    const submenu = options.submenu ?? (options.role ? ROLE_SUBMENUS[options.role]?.map((role) => (role === "separator" ? { type: "separator" } : { role })) : undefined);
    this.submenu = submenu === undefined ? undefined : submenu instanceof MenuImpl ? submenu : MenuImpl.buildFromTemplate(submenu);
  }

  /** What a user's click does: the item's own click, or its role's action. */
  click(): void {
    if (!this.enabled) throw new Error(`The menu item "${this.label}" is disabled.`);
    const window = BrowserWindowImpl.getFocusedWindow();
    record("menu-click", { label: this.label, role: this.role ?? null });
    if (this.clickHandler) return void this.clickHandler(this, window ?? undefined, {});
    switch (this.role) {
      case "quit":
        return app.quit();
      case "close":
        return window?.close();
      case "minimize":
        return window?.minimize();
      case "reload":
      case "forceReload":
        return window?.webContents.reload();
      case "toggleDevTools":
        return window?.webContents.toggleDevTools();
      default:
        missing(`the "${this.role ?? this.label}" menu role`);
    }
  }
}

class MenuImpl {
  readonly items: MenuItem[] = [];

  static buildFromTemplate(template: MenuItemOptions[]): MenuImpl {
    const menu = new MenuImpl();
    for (const options of template) menu.items.push(new MenuItem(options));
    return strict(menu, "Menu");
  }

  static setApplicationMenu(menu: MenuImpl | null): void {
    applicationMenu = menu;
    record("Menu.setApplicationMenu", { menu: menu ? describeMenu(menu) : null });
  }

  static getApplicationMenu(): MenuImpl | null {
    return applicationMenu;
  }
}

let applicationMenu: MenuImpl | null = null;

export interface MenuDescription {
  label: string;
  role?: string;
  type: string;
  submenu?: MenuDescription[];
}

function describeMenu(menu: MenuImpl): MenuDescription[] {
  return menu.items.map((item) => ({
    label: item.label,
    type: item.type,
    ...(item.role ? { role: item.role } : {}),
    ...(item.submenu ? { submenu: describeMenu(item.submenu) } : {}),
  }));
}

/** For tests: clicks the application menu's item at this label path, e.g. ["Help", "Open App Data Folder"]. */
export function clickApplicationMenu(labels: string[]): void {
  let items = applicationMenu?.items ?? [];
  let item: MenuItem | undefined;
  for (const label of labels) {
    item = items.find((candidate) => candidate.label === label && candidate.visible);
    if (!item) throw new Error(`No menu item "${label}" in ${JSON.stringify(items.map((one) => one.label))}.`);
    items = item.submenu?.items ?? [];
  }
  item!.click();
}

export const Menu = strict(MenuImpl, "Menu");

// ---------------------------------------------------------------- for tests, through the harness

/** What a test can reach inside the shell's process (see harness.ts, ShellProcess.evaluate). */
export const standin = {
  windows: () => BrowserWindowImpl.getAllWindows(),
  defaultSession: () => defaultSession,
  invokeHandlers: () => [...invokeHandlers.keys()],
  clickApplicationMenu,
  applicationMenu: () => (applicationMenu ? describeMenu(applicationMenu) : null),
};
