/**
 * Electron's webRequest URL filter: `{ urls: [...] }` of match patterns
 * (`<scheme>://<host>[:<port>]/<path>`, `*` wildcards, `<all_urls>`).
 * An empty or missing list matches every request. A pattern without a port
 * matches any port; one with a port matches only that port.
 */

interface Pattern {
  scheme: string;
  host: string;
  port?: string;
  path: RegExp;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
}

export function parsePattern(pattern: string): Pattern | "all" {
  if (pattern === "<all_urls>") return "all";
  const match = /^(\*|[a-z][a-z0-9+.-]*):\/\/(\*|\*\.[^/:]+|[^/:*]+)(?::(\d+|\*))?(\/.*)$/.exec(pattern);
  if (!match) throw new Error(`Not a valid URL match pattern for webRequest: ${JSON.stringify(pattern)} (expected scheme://host/path).`);
  const [, scheme, host, port, path] = match;
  return { scheme: scheme!, host: host!, port: port === "*" ? undefined : port, path: globToRegExp(path!) };
}

function matches(pattern: Pattern | "all", url: URL): boolean {
  const scheme = url.protocol.slice(0, -1);
  if (pattern === "all") return ["http", "https", "ws", "wss", "ftp", "file"].includes(scheme);
  if (pattern.scheme === "*" ? !["http", "https"].includes(scheme) : pattern.scheme !== scheme) return false;
  const host = url.hostname;
  if (pattern.host !== "*") {
    if (pattern.host.startsWith("*.")) {
      const base = pattern.host.slice(2);
      if (host !== base && !host.endsWith(`.${base}`)) return false;
    } else if (pattern.host !== host) return false;
  }
  if (pattern.port !== undefined) {
    const port = url.port || (scheme === "https" || scheme === "wss" ? "443" : "80");
    if (pattern.port !== port) return false;
  }
  return pattern.path.test(`${url.pathname}${url.search}`);
}

/** A predicate for one filter, as Electron applies it to each request's URL. */
export function urlFilter(filter: { urls?: string[] } | undefined): (url: string) => boolean {
  const patterns = (filter?.urls ?? []).map(parsePattern);
  return (url) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    return patterns.length === 0 || patterns.some((pattern) => matches(pattern, parsed));
  };
}
