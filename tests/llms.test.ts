/**
 * llms.txt follows the llms.txt format (an H1, a one-paragraph summary in a
 * blockquote, then `##` sections of `- [name](link): description` lines), and
 * every relative link in it resolves to a file in the repository.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../scripts/chapters.ts";

const text = readFileSync(path.join(repoRoot, "llms.txt"), "utf8");
const lines = text.split("\n");

const LINK_LINE = /^- \[([^\]]+)\]\(([^)\s]+)\): \S.*$/;

interface Link {
  section: string;
  name: string;
  target: string;
}

function sections(): { title: string; lines: string[] }[] {
  const found: { title: string; lines: string[] }[] = [];
  for (const line of lines) {
    if (line.startsWith("## ")) found.push({ title: line.slice(3).trim(), lines: [] });
    else if (found.length && line.trim()) found.at(-1)!.lines.push(line);
  }
  return found;
}

const links: Link[] = sections().flatMap(({ title, lines: body }) =>
  body.flatMap((line) => {
    const match = LINK_LINE.exec(line);
    return match ? [{ section: title, name: match[1]!, target: match[2]! }] : [];
  }),
);

describe("llms.txt structure", () => {
  it("starts with an H1 naming the project", () => {
    expect(lines[0]).toBe("# desktop-django-starter");
  });

  it("follows the H1 with a one-paragraph summary in a blockquote", () => {
    const rest = lines.slice(1);
    const first = rest.findIndex((line) => line.trim());
    expect(rest[first]).toMatch(/^> \S/);
    const quote = rest.slice(first).findIndex((line) => !line.startsWith(">"));
    expect(quote, "the blockquote is one paragraph").toBe(1);
  });

  it("has no heading deeper than ## and only one H1", () => {
    expect(lines.filter((line) => /^#\s/.test(line))).toHaveLength(1);
    expect(lines.filter((line) => /^#{3,}\s/.test(line))).toEqual([]);
  });

  it("has sections whose every line is a link with a one-line description", () => {
    const found = sections();
    expect(found.length).toBeGreaterThanOrEqual(3);
    for (const section of found) {
      expect(section.lines.length, `section "${section.title}" lists links`).toBeGreaterThan(0);
      for (const line of section.lines) expect(line, `in section "${section.title}"`).toMatch(LINK_LINE);
    }
  });

  it("names each section and each link once", () => {
    const titles = sections().map((section) => section.title);
    expect(titles).toEqual([...new Set(titles)]);
    const targets = links.map((link) => link.target);
    expect(targets.filter((target, index) => targets.indexOf(target) !== index)).toEqual([]);
  });

  it("points at SKILL.md, the runtime contract and the Django runtime app", () => {
    const targets = links.map((link) => link.target);
    expect(targets).toEqual(expect.arrayContaining(["SKILL.md", "docs/reference/runtime-contract.md", "django/desktop_runtime/__init__.py"]));
  });

  it("lists every docs chapter page", () => {
    const chapterPages = links.filter((link) => link.target.startsWith("docs/chapters/")).map((link) => link.target);
    const onDisk = readdirSync(path.join(repoRoot, "docs", "chapters"))
      .filter((name) => name.endsWith(".md"))
      .sort()
      .map((name) => `docs/chapters/${name}`);
    expect(chapterPages).toEqual(onDisk);
  });
});

describe.each(links)("llms.txt link $name", ({ target }) => {
  it(`${target} is a relative path to a file in the repository`, () => {
    expect(target).not.toMatch(/^[a-z]+:/i);
    expect(target.startsWith("/")).toBe(false);
    const resolved = path.resolve(repoRoot, target);
    expect(resolved.startsWith(repoRoot + path.sep)).toBe(true);
    expect(existsSync(resolved) && statSync(resolved).isFile(), `${target} exists`).toBe(true);
  });
});
