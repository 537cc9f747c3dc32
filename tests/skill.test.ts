/**
 * SKILL.md is a workflow an agent follows in another repository, so every
 * starter path it names must exist. The convention, stated in SKILL.md itself:
 * a backticked path that starts with a top-level folder of this repository is
 * a repository path; paths in the target start with `<target>/` and are not
 * checked.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
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

/**
 * What a copied shell prints that is only true in the starter: the demo app's
 * name, the starter's repository name, its setup script, and npm workspace
 * commands (`-w final`, or `-w ${workspace}`, which prints `-w desktop` in a
 * target that has no workspaces). Comment lines are not shown to anyone.
 */
const STARTER_ONLY_TEXT = /Flying Stable|desktop-django-starter repository|setup:python|-w final\b|-w \$\{workspace\}/;

/** The shell's source files whose code (not comments) carries starter-only text. */
function shellFilesWithStarterText(): string[] {
  const files = ["final/electron-builder.config.ts"];
  for (const folder of ["final/src", "final/scripts"]) {
    for (const name of readdirSync(path.join(repoRoot, folder))) if (name.endsWith(".ts")) files.push(`${folder}/${name}`);
  }
  return files.filter((file) =>
    readFileSync(path.join(repoRoot, file), "utf8")
      .split("\n")
      .some((line) => !/^\s*(\*|\/\/|\/\*)/.test(line) && STARTER_ONLY_TEXT.test(line)),
  );
}

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

  it.each(shellFilesWithStarterText())("tells the agent to adapt the starter-only messages in %s", (file) => {
    expect(named).toContain(file);
  });

  it.each(named)("names %s, which exists in the repository", (name) => {
    const resolved = path.join(repoRoot, name);
    expect(existsSync(resolved)).toBe(true);
    if (name.endsWith("/")) expect(statSync(resolved).isDirectory()).toBe(true);
  });
});
