/**
 * What the app's pages may do: navigate only within Django's origin, open
 * http(s) links to other sites in the system browser when the user asked for
 * it, and nothing else.
 */

export type NavigationDecision = "allow" | "deny";
export type WindowOpenDecision = "open-externally" | "deny";

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** True only for URLs on exactly this origin (scheme, host and port); nothing is, before Django serves. */
export function isSameOrigin(url: string | undefined, origin: string | undefined): boolean {
  return url !== undefined && origin !== undefined && parse(url)?.origin === origin;
}

/** `will-navigate`, `will-frame-navigate`, `will-redirect`: stay on Django's origin (before it serves, go nowhere). */
export function decideNavigation(url: string, origin: string | undefined): NavigationDecision {
  return isSameOrigin(url, origin) ? "allow" : "deny";
}

/** `setWindowOpenHandler`: no new app windows; web links to other origins go to the system browser. */
export function decideWindowOpen(url: string, origin: string | undefined): WindowOpenDecision {
  const target = parse(url);
  if (!target || target.origin === origin) return "deny";
  return target.protocol === "https:" || target.protocol === "http:" ? "open-externally" : "deny";
}

/** Electron input events (`input-event`) that are the user acting on the page: a click, a key, a tap. */
const USER_ACTIONS = new Set(["mouseDown", "rawKeyDown", "keyDown", "gestureTap", "touchStart", "pointerDown"]);

export interface ExternalLinkLimiter {
  /** Called with the type of each input event the page receives. */
  noteInput(type: string): void;
  /** Whether a link may open in the system browser now; a yes uses up the user's action. */
  mayOpen(): boolean;
}

/**
 * A page can call window.open() as often as it likes; the system browser
 * should open only when the user clicked or pressed a key just before, once
 * per such action, and never more than once per `minIntervalMs`.
 */
export function externalLinkLimiter({ actionWindowMs = 1000, minIntervalMs = 1000, now = Date.now } = {}): ExternalLinkLimiter {
  let lastAction = Number.NEGATIVE_INFINITY;
  let lastOpen = Number.NEGATIVE_INFINITY;
  return {
    noteInput(type) {
      if (USER_ACTIONS.has(type)) lastAction = now();
    },
    mayOpen() {
      const time = now();
      if (time - lastAction > actionWindowMs || time - lastOpen < minIntervalMs) return false;
      lastAction = Number.NEGATIVE_INFINITY;
      lastOpen = time;
      return true;
    },
  };
}
