/**
 * The walk of `npm run check`: from the home page, follow the app's own links
 * as a user would (GET only, a bounded number of pages, never a logout, a
 * delete or another link that looks like it changes something), and fetch
 * every same-origin script, stylesheet (with its @import and url()) and image
 * those pages load. The checks in contractHttp.ts judge what it found.
 */
import { TOKEN_HEADER } from "../src/token";
import { cookieHeaderOf, fetchPage, LeftOriginError, request, type HomePage } from "./httpClient";
import { cssReferences, isRemote, pageLinks, pageResources, resourceKind, stateChangeWord } from "./pageReading";

export const MAX_PAGES = 30;

/** A page the walk opened. */
export interface WalkedPage {
  /** Where it ended after same-origin redirects. */
  url: string;
  status: number;
  /** True when it answered HTML, which the walk read for links and files. */
  html?: boolean;
  /** The page whose link led here; none for the home page. */
  from?: string;
  /** Set when a redirect left the origin: not a failure, the shell opens such pages outside the app. */
  leftOrigin?: string;
  /** Why the page could not be fetched (no answer, a redirect loop). */
  error?: string;
}

/** A file a page or a stylesheet loads from the backend's own origin. */
export interface LoadedAsset {
  url: string;
  /** script, stylesheet, image, icon, CSS url(), ... */
  kind: string;
  status: number;
  /** The page or stylesheet that loads it (the first one seen). */
  from: string;
  error?: string;
}

export interface Walk {
  pages: WalkedPage[];
  assets: LoadedAsset[];
  /** Links not followed, with why: `/logout/ (logout)`. */
  skipped: string[];
  /** Links left unvisited because the walk reached MAX_PAGES. */
  unvisited: number;
  /** Everything a page or a stylesheet loads from another host: `/page/: <script src="https://...">`. */
  remote: string[];
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

function withoutHash(url: URL): string {
  const copy = new URL(url.href);
  copy.hash = "";
  return copy.href;
}

/** Walks the app from its home page; the home page must have answered 200. */
export async function walkApp(backend: { url: string; token: string }, home: HomePage, maxPages = MAX_PAGES): Promise<Walk> {
  const origin = new URL(backend.url).origin;
  const cookies = new Map(home.cookies);
  const walk: Walk = { pages: [], assets: [], skipped: [], unvisited: 0, remote: [] };
  const seenPages = new Set<string>(home.chain.map((url) => withoutHash(new URL(url))));
  const seenAssets = new Set<string>();
  const skipped = new Set<string>();
  const queue: { url: string; from: string }[] = [];

  const get = (url: string) => request(backend.url, url, { headers: { [TOKEN_HEADER]: backend.token, ...cookieHeaderOf(cookies) } });

  const loadAsset = async (url: string, kind: string, from: string): Promise<void> => {
    if (seenAssets.has(url)) return;
    seenAssets.add(url);
    const asset: LoadedAsset = { url, kind, from, status: 0 };
    walk.assets.push(asset);
    try {
      const answer = await get(url);
      asset.status = answer.status;
      if (answer.status === 200 && (kind === "stylesheet" || /text\/css/i.test(String(answer.headers["content-type"] ?? "")))) {
        for (const reference of cssReferences(answer.body)) {
          if (isRemote(reference.value, url)) walk.remote.push(`${pathOf(url)}: ${reference.value}`);
          else await loadLocal(reference.value, url, reference.imported ? "stylesheet" : "CSS url()");
        }
      }
    } catch (error) {
      asset.error = (error as Error).message;
    }
  };

  const loadLocal = async (value: string, base: string, kind: string): Promise<void> => {
    let url: URL;
    try {
      url = new URL(value, base);
    } catch {
      return;
    }
    if (url.origin !== origin || !/^https?:$/.test(url.protocol)) return;
    await loadAsset(withoutHash(url), kind, pathOf(base));
  };

  const read = async (page: WalkedPage, body: string, contentType: string): Promise<void> => {
    if (page.status !== 200 || !/html/i.test(contentType)) return;
    page.html = true;
    for (const resource of pageResources(body)) {
      if (isRemote(resource.value, page.url)) walk.remote.push(`${pathOf(page.url)}: <${resource.tag} ${resource.attribute}="${resource.value}">`);
      else await loadLocal(resource.value, page.url, resourceKind(resource));
    }
    for (const link of pageLinks(body)) {
      let url: URL;
      try {
        url = new URL(link.href, page.url);
      } catch {
        continue;
      }
      if (url.origin !== origin || !/^https?:$/.test(url.protocol)) continue;
      const href = withoutHash(url);
      if (seenPages.has(href)) continue;
      const reason = link.notAGet ?? stateChangeWord(url);
      if (reason) {
        if (!skipped.has(href)) walk.skipped.push(`${pathOf(href)} (${reason})`);
        skipped.add(href);
        continue;
      }
      seenPages.add(href);
      queue.push({ url: href, from: page.url });
    }
  };

  const homePage: WalkedPage = { url: home.url, status: home.answer.status };
  walk.pages.push(homePage);
  await read(homePage, home.answer.body, String(home.answer.headers["content-type"] ?? ""));
  while (queue.length && walk.pages.length < maxPages) {
    const { url, from } = queue.shift()!;
    const page: WalkedPage = { url, from, status: 0 };
    walk.pages.push(page);
    try {
      const fetched = await fetchPage(backend, url, cookies);
      page.url = fetched.url;
      page.status = fetched.answer.status;
      for (const visited of fetched.chain) seenPages.add(withoutHash(new URL(visited)));
      await read(page, fetched.answer.body, String(fetched.answer.headers["content-type"] ?? ""));
    } catch (error) {
      if (error instanceof LeftOriginError) page.leftOrigin = error.message;
      else page.error = (error as Error).message;
    }
  }
  walk.unvisited = queue.length;
  return walk;
}
