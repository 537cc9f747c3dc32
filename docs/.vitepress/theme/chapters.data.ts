/**
 * The chapter pages that exist, in order, with the one-line summary each page
 * declares in its frontmatter. The home page lists them from here, so it never
 * mentions a chapter the site does not have.
 */
import { createContentLoader } from "vitepress";

export interface ChapterSummary {
  url: string;
  title: string;
  summary: string;
}

declare const data: ChapterSummary[];
export { data };

export default createContentLoader("chapters/*.md", {
  transform(pages): ChapterSummary[] {
    return pages
      .map((page) => ({
        url: page.url,
        title: String(page.frontmatter.title ?? page.url),
        summary: String(page.frontmatter.description ?? ""),
      }))
      .sort((a, b) => a.url.localeCompare(b.url));
  },
});
