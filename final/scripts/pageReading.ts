/**
 * What a page asks the browser to load, and where its links lead, read with
 * htmlparser2 (a real HTML tokenizer: any attribute order or case, comments
 * and script text skipped) rather than with regular expressions. CSS is read
 * for its url() and @import references only.
 */
import { Parser } from "htmlparser2";

/** A resource a page asks the browser to load: the tag, the attribute and the URL as written. */
export interface PageResource {
  tag: string;
  attribute: string;
  value: string;
  /** For <link>: its rel, lowercased. */
  rel?: string;
}

/** link rel values that make the browser fetch nothing. */
const NON_LOADING_RELS = new Set(["canonical", "alternate", "author", "bookmark", "external", "help", "license", "next", "prev", "search", "nofollow", "noopener", "noreferrer", "me", "preconnect", "dns-prefetch"]);
const LOADING_ATTRIBUTES: Record<string, string[]> = {
  script: ["src"],
  link: ["href"],
  img: ["src", "srcset"],
  iframe: ["src"],
  frame: ["src"],
  source: ["src", "srcset"],
  video: ["src", "poster"],
  audio: ["src"],
  track: ["src"],
  embed: ["src"],
  object: ["data"],
  input: ["src"],
};

/** A link a user can follow with a plain GET: `<a href>` or `<area href>`, and what it carries. */
export interface PageLink {
  href: string;
  /** Set when clicking it does not GET: a download, or a script library's non-GET method (data-method, hx-post, ...). */
  notAGet?: string;
}

/** Attributes with which htmx, Rails UJS, Turbo and Unpoly turn a link into a POST, PUT, PATCH or DELETE. */
const NON_GET_LINK_ATTRIBUTES = ["hx-post", "hx-put", "hx-patch", "hx-delete", "data-hx-post", "data-hx-put", "data-hx-patch", "data-hx-delete"];
const METHOD_ATTRIBUTES = ["data-method", "data-turbo-method", "up-method", "data-up-method"];

function parseHtml(html: string, onOpenTag: (name: string, attributes: Record<string, string>) => void, onStyleText?: (text: string) => void): void {
  let inStyle = false;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === "style") inStyle = true;
        onOpenTag(name, attributes);
      },
      ontext(text) {
        if (inStyle) onStyleText?.(text);
      },
      onclosetag(name) {
        if (name === "style") inStyle = false;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
}

/** Every URL the page's tags load, plus url() and @import in inline <style> and style attributes. */
export function pageResources(html: string): PageResource[] {
  const found: PageResource[] = [];
  parseHtml(
    html,
    (name, attributes) => {
      if (attributes.style) for (const value of cssUrls(attributes.style)) found.push({ tag: name, attribute: "style", value });
      const rel = attributes.rel?.toLowerCase();
      if (name === "link" && rel && rel.split(/\s+/).every((word) => NON_LOADING_RELS.has(word))) return;
      for (const attribute of LOADING_ATTRIBUTES[name] ?? []) {
        const value = attributes[attribute]?.trim();
        if (!value) continue;
        const values = attribute === "srcset" ? value.split(",").map((candidate) => candidate.trim().split(/\s+/)[0]!).filter(Boolean) : [value];
        for (const each of values) found.push({ tag: name, attribute, value: each, ...(rel ? { rel } : {}) });
      }
    },
    (text) => {
      for (const { value, imported } of cssReferences(text)) found.push({ tag: "style", attribute: imported ? "@import" : "url()", value });
    },
  );
  return found;
}

/** The page's links (`<a href>`, `<area href>`), with the reason when following one is not a plain GET. */
export function pageLinks(html: string): PageLink[] {
  const links: PageLink[] = [];
  parseHtml(html, (name, attributes) => {
    if ((name !== "a" && name !== "area") || !attributes.href?.trim()) return;
    const method = METHOD_ATTRIBUTES.map((attribute) => attributes[attribute]).find((value) => value !== undefined && value.toLowerCase() !== "get");
    const scripted = NON_GET_LINK_ATTRIBUTES.find((attribute) => attribute in attributes);
    const notAGet = "download" in attributes ? "a download" : method ? `${method.toUpperCase()} by script` : scripted ? `${scripted} by script` : undefined;
    links.push({ href: attributes.href.trim(), ...(notAGet ? { notAGet } : {}) });
  });
  return links;
}

/**
 * Words in a URL that say following it may change something: logging out,
 * deleting, toggling, running. Checked on whole words of the path and query,
 * so `/catalog/` or `/runs/` pass and `/items/3/delete/` or `?action=toggle` do not.
 */
const STATE_CHANGE_WORDS =
  /(?:^|[^a-z])(log[-_]?(?:out|off)|sign[-_]?(?:out|off)|delete|remove|destroy|erase|purge|flush|wipe|reset|clear|toggle|archive|unarchive|enable|disable|activate|deactivate|approve|reject|revoke|cancel|unsubscribe|subscribe|follow|unfollow|like|unlike|vote|star|unstar|pin|unpin|mark|publish|unpublish|run|trigger|execute|sync|import|restore|undo|retry|requeue|kill|stop|start|shutdown|quit)(?:[^a-z]|$)/;

/** The word that makes a same-origin URL look like a logout, a delete or another state change; undefined for an ordinary page. */
export function stateChangeWord(url: URL): string | undefined {
  let text = `${url.pathname}${url.search}`;
  try {
    text = decodeURIComponent(text);
  } catch {
    // A malformed escape: read the URL as written.
  }
  return STATE_CHANGE_WORDS.exec(text.toLowerCase())?.[1];
}

/** A url() or @import of a stylesheet, as written. */
export interface CssReference {
  value: string;
  /** True for @import: the target is another stylesheet. */
  imported: boolean;
}

/** The URLs a stylesheet loads: url(...) and @import "..." (url() inside an @import counts as imported); comments are skipped. */
export function cssReferences(css: string): CssReference[] {
  const references: CssReference[] = [];
  const withoutComments = css.replace(/\/\*[\s\S]*?\*\//g, " ");
  const quoted = `(?:"([^"]*)"|'([^']*)')`;
  const url = `url\\(\\s*(?:"([^"]*)"|'([^']*)'|([^)'"\\s]*))\\s*\\)`;
  for (const match of withoutComments.matchAll(new RegExp(`@import\\s+(?:${url}|${quoted})|${url}`, "gi"))) {
    const groups = match.slice(1);
    const index = groups.findIndex((group) => group !== undefined);
    const value = (groups[index] ?? "").trim();
    // Groups 0-4 belong to @import (url() or a quoted string), 5-7 to a plain url().
    if (value) references.push({ value, imported: index < 5 });
  }
  return references;
}

/** The URLs a stylesheet loads: url(...) and @import "...". */
export function cssUrls(css: string): string[] {
  return cssReferences(css).map((reference) => reference.value);
}

/** True when loading `value` from a page at `pageUrl` leaves the page's origin (data: and blob: stay local). */
export function isRemote(value: string, pageUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(value, pageUrl);
  } catch {
    return false;
  }
  if (url.protocol === "data:" || url.protocol === "blob:" || url.protocol === "about:" || url.protocol === "javascript:") return false;
  return url.origin !== new URL(pageUrl).origin;
}

/** What kind of thing a resource is, in the check's words: a script, a stylesheet, an image, ... */
export function resourceKind(resource: PageResource): string {
  if (resource.tag === "script") return "script";
  if (resource.tag === "link") {
    const rels = resource.rel?.split(/\s+/) ?? [];
    if (rels.includes("stylesheet")) return "stylesheet";
    if (rels.some((rel) => rel === "icon" || rel === "apple-touch-icon" || rel === "mask-icon")) return "icon";
    if (rels.includes("modulepreload")) return "script";
    return `link rel=${resource.rel ?? ""}`;
  }
  if (resource.tag === "img" || resource.tag === "source" || (resource.tag === "input" && resource.attribute === "src")) return "image";
  if (resource.attribute === "@import") return "stylesheet";
  if (resource.attribute === "style" || resource.attribute === "url()") return "CSS url()";
  return resource.tag;
}
