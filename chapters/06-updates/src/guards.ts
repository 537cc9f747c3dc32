/**
 * What the window may do: navigate only within Django's origin, open http(s)
 * links to other sites in the system browser, and nothing else.
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

/** True only for URLs on exactly this origin (scheme, host and port). */
export function isSameOrigin(url: string | undefined, origin: string): boolean {
  return url !== undefined && parse(url)?.origin === origin;
}

/** `will-navigate`: stay on Django's origin. */
export function decideNavigation(url: string, origin: string): NavigationDecision {
  return isSameOrigin(url, origin) ? "allow" : "deny";
}

/** `setWindowOpenHandler`: no new app windows; web links to other origins go to the system browser. */
export function decideWindowOpen(url: string, origin: string): WindowOpenDecision {
  const target = parse(url);
  if (!target || target.origin === origin) return "deny";
  return target.protocol === "https:" || target.protocol === "http:" ? "open-externally" : "deny";
}
