/**
 * The docs site stays in step with the repository: every chapter has its page
 * and every page its chapter, chapter pages render the right diff, code on
 * pages comes from files that exist, every navigation link lands on a page,
 * every npm script is documented, and nothing loads from the network.
 * The build itself (dead links fail it) runs as `npm run docs:build`.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, existsSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { DefaultTheme } from "vitepress";
import { readManifest, repoRoot, steps } from "../scripts/chapters.ts";
import { renderChapterDiff, splitUnifiedDiff } from "../docs/.vitepress/chapter-diff.ts";
import config from "../docs/.vitepress/config.ts";

const docsDir = path.join(repoRoot, "docs");
const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Every Markdown page of the site, relative to docs/. */
function pages(dir = docsDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith(".") || entry.name === "node_modules" || entry.name === "public") return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return pages(full);
    return entry.name.endsWith(".md") ? [path.relative(docsDir, full).split(path.sep).join("/")] : [];
  });
}

const read = (page: string) => readFileSync(path.join(docsDir, page), "utf8");

describe("splitUnifiedDiff", () => {
  const diff = [
    "--- a/src/main.ts",
    "+++ b/src/main.ts",
    "@@ -1,3 +1,3 @@",
    " keep",
    "--- a removed line that looks like a header",
    "+++ an added line that looks like a header",
    " keep",
    "--- /dev/null",
    "+++ b/src/token.ts",
    "@@ -0,0 +1,2 @@",
    "+export const a = 1;",
    "+export const b = 2;",
    "\\ No newline at end of file",
    "--- a/src/old.ts",
    "+++ /dev/null",
    "@@ -1,1 +0,0 @@",
    "-gone",
  ].join("\n");

  it("splits by file, counting hunk lines so header-like content stays inside its hunk", () => {
    const files = splitUnifiedDiff(diff);
    expect(files.map((file) => [file.path, file.status, file.added, file.removed])).toEqual([
      ["src/main.ts", "changed", 1, 1],
      ["src/token.ts", "added", 2, 0],
      ["src/old.ts", "removed", 0, 1],
    ]);
    expect(files[0]!.hunks).toContain("--- a removed line that looks like a header");
    expect(files[1]!.hunks).toContain("\\ No newline at end of file");
  });

  it("reads the line chapterDiff() gives a binary file", () => {
    const [file] = splitUnifiedDiff("Binary file build/icons/icon.png added\n");
    expect(file).toEqual({ path: "build/icons/icon.png", status: "added", added: 0, removed: 0, hunks: "", binary: true });
  });
});

describe("renderChapterDiff", () => {
  const root = mkdtempSync(path.join(tmpdir(), "dds-docs-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const writeStep = (step: string, files: Record<string, string>) => {
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(root, "chapters", step, name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
  };

  it("renders one block per file, code open and tests folded, with a summary and the terminal command", () => {
    writeStep("01-one", { "src/main.ts": "a\n", "test/main.test.ts": "t\n", "README.md": "one\n" });
    writeStep("02-two", { "src/main.ts": "b\n", "test/main.test.ts": "u\n", "README.md": "two\n" });
    const parts = renderChapterDiff("01-one", "02-two", escape, root);
    const html = parts.map((part) => part.html).join("");
    expect(html).toContain('data-from="01-one" data-to="02-two"');
    expect(html).toContain("npm run chapter:diff -- 01-one 02-two");
    expect(html).toMatch(/<details class="chapter-diff-file" open>\n<summary><code>src\/main.ts<\/code>/);
    expect(html).toMatch(/<details class="chapter-diff-file">\n<summary><code>test\/main.test.ts<\/code>/);
    expect(html, "README.md is prose about the change, not part of it").not.toContain("README.md");
    expect(parts.flatMap((part) => (part.fence ? [part.fence] : []))).toEqual([
      "@@ -1,1 +1,1 @@\n-a\n+b\n",
      "@@ -1,1 +1,1 @@\n-t\n+u\n",
    ]);
  });

  it("renders a short note instead of failing while a step is not in the repository", () => {
    const parts = renderChapterDiff("02-two", "03-three", escape, root);
    expect(parts).toHaveLength(1);
    expect(parts[0]!.html).toContain("chapter-diff-pending");
    expect(parts[0]!.html).toContain("<code>03-three</code> is in the repository");
  });
});

describe("chapter pages", () => {
  const chapterSteps = steps();
  const chapterPages = readdirSync(path.join(docsDir, "chapters")).filter((name) => name.endsWith(".md"));

  it.each(chapterSteps)("step %s has a page in docs/chapters/", (step) => {
    expect(chapterPages, `write docs/chapters/${step}.md`).toContain(`${step}.md`);
  });

  it.each(chapterPages)("docs/chapters/%s belongs to a chapter in the repository", (page) => {
    expect(chapterSteps).toContain(page.replace(/\.md$/, ""));
  });

  it.each(chapterPages.filter((page) => chapterSteps.includes(page.replace(/\.md$/, ""))))(
    "docs/chapters/%s renders the diff against its previous step, and has a title and summary",
    (page) => {
      const step = page.replace(/\.md$/, "");
      const source = read(`chapters/${page}`);
      const previous = readManifest(step).previous;
      const fences = [...source.matchAll(/^```chapter-diff (\S+) (\S+)\s*$/gm)].map((match) => [match[1], match[2]]);
      expect(fences).toEqual(previous ? [[previous, step]] : []);
      const heading = /^# (.+)$/m.exec(source)?.[1];
      expect(source, "frontmatter title equals the page heading").toContain(`title: "${heading}"`);
      expect(source).toMatch(/^description: \S/m);
      for (const section of ["## What you will learn", "## Run it", "## Check it worked", "## Common mistakes"]) {
        expect(source).toContain(section);
      }
    },
  );
});

describe("code on pages", () => {
  const imports = pages().flatMap((page) =>
    [...read(page).matchAll(/^<<< @\/(\S+?)(?:#[\w-]+)?(?:\{[^}]*\})?(?: \[[^\]]*\])?\s*$/gm)].map((match) => ({ page, target: match[1]! })),
  );

  it("comes from repository files through snippet imports", () => {
    expect(imports.length).toBeGreaterThan(0);
  });

  it.each(imports)("$page imports $target, which exists", ({ target }) => {
    expect(existsSync(path.join(docsDir, target))).toBe(true);
  });

  it.each(imports)("$page imports $target from the repository, not from a copy inside docs/", ({ target }) => {
    expect(target.startsWith("../")).toBe(true);
  });
});

describe("navigation", () => {
  const theme = config.themeConfig as DefaultTheme.Config;
  const links = (items: DefaultTheme.SidebarItem[]): string[] => items.flatMap((item) => [...(item.link ? [item.link] : []), ...links(item.items ?? [])]);
  const navLinks = (theme.nav ?? []).flatMap((item) => ("link" in item && item.link ? [item.link] : []));
  const sidebarLinks = links(theme.sidebar as DefaultTheme.SidebarItem[]);

  it.each([...new Set([...navLinks, ...sidebarLinks])])("%s is a page of the site", (link) => {
    const page = link === "/" ? "index.md" : `${link.replace(/^\//, "").replace(/\.html$/, "")}.md`;
    expect(existsSync(path.join(docsDir, page)), `docs/${page}`).toBe(true);
  });

  it("lists every page in the sidebar, so prev/next links reach all of them", () => {
    const linked = new Set(sidebarLinks.map((link) => (link === "/" ? "index.md" : `${link.slice(1)}.md`)));
    expect(pages().filter((page) => !linked.has(page))).toEqual([]);
  });

  it("lists the chapters in order", () => {
    const chapters = sidebarLinks.filter((link) => link.startsWith("/chapters/"));
    expect(chapters).toEqual([...chapters].sort());
  });
});

describe("reference", () => {
  const documented = read("reference/npm-scripts.md");
  const rootScripts = Object.keys((JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);

  // pre<script> is npm's hook before <script>, not a command of its own.
  const hooks = rootScripts.filter((name) => name === "postinstall" || (name.startsWith("pre") && rootScripts.includes(name.slice(3))));
  it.each(rootScripts.filter((name) => !hooks.includes(name) && name !== "test"))("documents the root script %s", (name) => {
    expect(documented).toContain(`npm run ${name}`);
  });

  it("documents npm test", () => {
    expect(documented).toContain("`npm test`");
  });

  const workspaceScripts = steps().flatMap((step) => {
    const manifest = path.join(step === "final" ? path.join(repoRoot, "final") : path.join(repoRoot, "chapters", step), "package.json");
    return Object.keys((JSON.parse(readFileSync(manifest, "utf8")) as { scripts?: Record<string, string> }).scripts ?? {}).map((name) => ({ step, name }));
  });

  it.each(workspaceScripts)("documents $step's script $name", ({ name }) => {
    expect(documented).toMatch(name === "test" ? /`npm test -w / : new RegExp(`\`npm run ${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[ \`]`));
  });
});

describe("offline", () => {
  it("loads no remote fonts, scripts or styles", () => {
    const head = JSON.stringify(config.head ?? []);
    expect(head).not.toMatch(/https?:\/\//);
    for (const page of pages()) {
      expect(read(page), page).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)="https?:\/\//);
    }
  });
});
