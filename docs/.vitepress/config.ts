/**
 * The docs site. The sidebar is the learning path: start, the chapters in
 * order, adapting the starter, then reference. Chapter entries come from the
 * pages in docs/chapters/, so a chapter appears as soon as its page is written,
 * and prev/next links follow the same order.
 */
import { copyFileSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type DefaultTheme } from "vitepress";
import { chapterDiffPlugin } from "./chapter-diff.ts";

const docsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const repoDir = path.resolve(docsDir, "..");
const base = process.env.DDS_DOCS_BASE ?? "/";

/**
 * The favicon is the brand mark: the SVG itself for browsers that take one, and
 * the .ico that chapter 05's `npm run icons` renders from the same SVG for
 * those that ask for /favicon.ico. Copied, never redrawn, so they cannot drift.
 */
const FAVICONS = {
  "favicon.svg": path.join(repoDir, "assets", "brand", "pony.svg"),
  "favicon.ico": path.join(repoDir, "chapters", "05-packaging", "build", "icons", "icon.ico"),
};

/** The page's first `# ` heading, which is also its title. */
function pageTitle(file: string): string {
  const heading = /^# (.+)$/m.exec(readFileSync(file, "utf8"));
  if (!heading) throw new Error(`${path.relative(docsDir, file)} has no "# " heading to use as its title.`);
  return heading[1]!.trim();
}

function chapterItems(): DefaultTheme.SidebarItem[] {
  const folder = path.join(docsDir, "chapters");
  return readdirSync(folder)
    .filter((name) => name.endsWith(".md") && name !== "index.md")
    .sort()
    .map((name) => ({ text: pageTitle(path.join(folder, name)), link: `/chapters/${name.replace(/\.md$/, "")}` }));
}

const sidebar: DefaultTheme.SidebarItem[] = [
  {
    text: "Start here",
    items: [
      { text: "What this is", link: "/" },
      { text: "Getting started", link: "/getting-started" },
    ],
  },
  { text: "Chapters", items: chapterItems() },
  {
    text: "Your own project",
    items: [
      { text: "Bring your own Django project", link: "/bring-your-own-django" },
      { text: "Production gaps", link: "/production-gaps" },
    ],
  },
  {
    text: "Other shells",
    items: [
      { text: "Tauri (experimental)", link: "/other-shells-tauri" },
      { text: "Positron (experimental)", link: "/other-shells-positron" },
    ],
  },
  {
    text: "Reference",
    items: [
      { text: "Runtime contract", link: "/reference/runtime-contract" },
      { text: "Dev and packaged settings", link: "/reference/settings" },
      { text: "Runtime manifest", link: "/reference/runtime-manifest" },
      { text: "Releases and updates", link: "/reference/releases-and-updates" },
      { text: "npm scripts", link: "/reference/npm-scripts" },
      { text: "Testing without Electron", link: "/reference/testing-without-electron" },
      { text: "Windows notes", link: "/reference/windows" },
      { text: "Troubleshooting", link: "/reference/troubleshooting" },
    ],
  },
];

export default defineConfig({
  title: "Desktop Django Starter",
  description: "Ship a Django app as a desktop app with Electron, one runnable chapter at a time.",
  lang: "en",
  // "/" for local builds and tests; a GitHub Pages project site sets DDS_DOCS_BASE=/<repository>/.
  base,
  head: [
    ["link", { rel: "icon", type: "image/svg+xml", href: `${base}favicon.svg` }],
    ["link", { rel: "alternate icon", href: `${base}favicon.ico` }],
  ],
  buildEnd(site) {
    for (const [name, source] of Object.entries(FAVICONS)) copyFileSync(source, path.join(site.outDir, name));
  },
  vite: {
    plugins: [
      {
        name: "dds-favicons",
        // `npm run docs:dev` serves the same two files the build copies.
        configureServer(server) {
          server.middlewares.use((request, response, next) => {
            const name = request.url?.split("?")[0]?.slice(base.length);
            const source = name ? FAVICONS[name as keyof typeof FAVICONS] : undefined;
            if (!source) return next();
            response.setHeader("Content-Type", name!.endsWith(".svg") ? "image/svg+xml" : "image/x-icon");
            response.end(readFileSync(source));
          });
        },
      },
    ],
  },
  srcExclude: ["README.md"],
  cleanUrls: false,
  lastUpdated: false,
  markdown: {
    config: (md) => {
      md.use(chapterDiffPlugin);
    },
  },
  themeConfig: {
    nav: [
      { text: "Getting started", link: "/getting-started" },
      { text: "Chapters", link: "/chapters/01-dev-loop" },
      { text: "Your own project", link: "/bring-your-own-django" },
      { text: "Reference", link: "/reference/runtime-contract" },
    ],
    sidebar,
    outline: { level: [2, 3] },
    // Everything works offline: local search index, no remote fonts or scripts.
    search: { provider: "local" },
    docFooter: { prev: "Previous", next: "Next" },
  },
});
