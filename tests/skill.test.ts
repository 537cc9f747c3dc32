/**
 * SKILL.md is a workflow an agent follows in another repository, so every
 * starter path it names must exist. The convention, stated in SKILL.md itself:
 * a backticked path that starts with a top-level folder of this repository is
 * a repository path; paths in the target start with `<target>/` and are not
 * checked.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../scripts/chapters.ts";

const text = readFileSync(path.join(repoRoot, "SKILL.md"), "utf8");

/** The top-level folders SKILL.md's convention treats as repository paths. */
const REPOSITORY_FOLDERS = ["django", "chapters", "final", "docs", "scripts", ".github"];
const REPOSITORY_PATH = new RegExp(`^(?:${REPOSITORY_FOLDERS.map((folder) => folder.replace(".", "\\.")).join("|")})/[^\\s<>*]*$`);

/** Backticked spans outside fenced code blocks. */
function inlineCode(markdown: string): string[] {
  const withoutFences = markdown.replace(/^```[\s\S]*?^```/gm, "");
  return [...withoutFences.matchAll(/`([^`\n]+)`/g)].map((match) => match[1]!.trim());
}

const named = [...new Set(inlineCode(text).filter((span) => REPOSITORY_PATH.test(span)))];

describe("SKILL.md", () => {
  it("has frontmatter with a name and a description", () => {
    const frontmatter = /^---\n([\s\S]*?)\n---\n/.exec(text);
    expect(frontmatter, "YAML frontmatter between --- lines").not.toBeNull();
    const data = parse(frontmatter![1]!) as { name?: string; description?: string };
    expect(data.name).toMatch(/^[a-z0-9-]+$/);
    expect(data.description?.length).toBeGreaterThan(40);
  });

  it("states its path convention", () => {
    expect(text).toContain("`<target>/...`");
    for (const folder of REPOSITORY_FOLDERS) expect(text).toContain(`\`${folder}/\``);
  });

  it("covers every inspection the workflow promises", () => {
    for (const topic of ["manage.py", "settings", "static files", "database", "login", "readiness", "writes"]) {
      expect(text.toLowerCase()).toContain(topic.toLowerCase());
    }
  });

  it("gives verification commands for its stages", () => {
    const fences = [...text.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((match) => match[1]!);
    expect(fences.length).toBeGreaterThanOrEqual(3);
    expect(fences.join("\n")).toMatch(/desktop_serve/);
    expect(fences.join("\n")).toMatch(/health\//);
  });

  it("names repository paths", () => {
    expect(named.length).toBeGreaterThan(5);
  });

  it.each(named)("names %s, which exists in the repository", (name) => {
    const resolved = path.join(repoRoot, name);
    expect(existsSync(resolved)).toBe(true);
    if (name.endsWith("/")) expect(statSync(resolved).isDirectory()).toBe(true);
  });
});
