/**
 * What every check of `npm run check` reports, and the running backend the
 * HTTP and browser checks talk to: types both sides use, in a module of their
 * own so that neither imports the other for them.
 */
export interface CheckResult {
  /** What was checked, in one line. */
  title: string;
  ok: boolean;
  /** On failure: what was seen. */
  problem?: string;
  /** On failure: what to do next. */
  advice?: string;
}

/** A backend to check: its URL (`http://127.0.0.1:<port>/`) and this session's token. */
export interface HttpTarget {
  url: string;
  token: string;
  /** Django's STATIC_URL as the page sees it, e.g. `/static/`. */
  staticUrl: string;
  /** Django's DEBUG, when known: the packaged settings must serve static files with it off. */
  debug?: boolean;
  /** True for a staged or packaged bundle, where DEBUG must be off. */
  packaged?: boolean;
  /** Django's LOGIN_URL as a path, when known: a redirect there means a login middleware caught a contract path. */
  loginUrl?: string;
  /** How many pages the walk opens, the home page included (default MAX_PAGES). */
  maxPages?: number;
  /** With --browser: the browser that loads the pages the walk reached (browserCheck.ts). */
  browser?: FoundBrowser;
}

/** A browser the check can drive: a Chromium executable. */
export interface FoundBrowser {
  /** Where it was found, for the printed line: `DDS_CHROMIUM`, `Playwright's Chromium`. */
  source: string;
  executablePath: string;
}
