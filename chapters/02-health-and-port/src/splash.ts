/**
 * The splash page as a `data:` URL. The splash is one self-contained HTML
 * file (inline CSS and SVG, no other files), so it needs no file:// access:
 * the app loads no page from disk, and chapter 05 can turn off the fuse that
 * gives file:// pages extra privileges.
 */
import { readFileSync } from "node:fs";

export function splashUrl(htmlFile: string): string {
  return `data:text/html;charset=utf-8;base64,${readFileSync(htmlFile).toString("base64")}`;
}
