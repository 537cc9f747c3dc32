import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { chapterDiff, checkConsistency, diffSummary, readManifest, repoRoot, splitUnifiedDiff, steps, syncFromPrevious } from "../scripts/chapters.ts";

/** A tiny series of two chapters in a temporary repository. */
function fakeSeries(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "dds-series-"));
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  write("chapters/01-a/chapter.json", JSON.stringify({ title: "A", previous: null, changes: [] }));
  write("chapters/01-a/src/main.ts", "one\n");
  write("chapters/01-a/src/shared.ts", "shared\n");
  write("chapters/02-b/chapter.json", JSON.stringify({ title: "B", previous: "01-a", changes: ["src/main.ts", "src/new.ts"] }));
  write("chapters/02-b/src/main.ts", "two\n");
  write("chapters/02-b/src/new.ts", "new\n");
  write("chapters/02-b/src/shared.ts", "shared\n");
  return root;
}

describe("the real chapter series", () => {
  it("runs 01 to 06, then final, each step naming its predecessor", () => {
    expect(steps()).toEqual(["01-dev-loop", "02-health-and-port", "03-token", "04-bundled-python", "05-packaging", "06-updates", "final"]);
    expect(readManifest("final").previous).toBe("06-updates");
  });

  it("is consistent: every undeclared file is identical to the previous step's", () => {
    expect(checkConsistency()).toEqual([]);
  });

  it("shows the token and hardening changes between 02 and 03, and nothing else", () => {
    const diff = chapterDiff("02-health-and-port", "03-token");
    const files = [...diff.matchAll(/^\+\+\+ (?:b\/)?(\S+)/gm)].map((match) => match[1]);
    expect(files.sort()).toEqual(readManifest("03-token").changes.concat("package.json").sort());
    expect(diff).toContain("X-Desktop-Django-Token");
    expect(diff).not.toContain("README.md");
  });
});

describe("checkConsistency", () => {
  it("accepts a declared change and reports undeclared drift", () => {
    const root = fakeSeries();
    expect(checkConsistency(root)).toEqual([]);
    writeFileSync(path.join(root, "chapters/02-b/src/shared.ts"), "drifted\n");
    expect(checkConsistency(root)).toEqual([
      '02-b/src/shared.ts differs compared with 01-a, but 02-b/chapter.json does not list it in "changes".',
    ]);
  });

  it("ignores what Finder and Explorer leave in a folder", () => {
    const root = fakeSeries();
    writeFileSync(path.join(root, "chapters/02-b/src/.DS_Store"), "\u0000\u0000\u0000\u0001Bud1");
    writeFileSync(path.join(root, "chapters/01-a/Thumbs.db"), "thumbnails");
    expect(checkConsistency(root)).toEqual([]);
  });

  it("reports a declared change that did not happen", () => {
    const root = fakeSeries();
    writeFileSync(path.join(root, "chapters/02-b/src/main.ts"), "one\n");
    expect(checkConsistency(root)).toEqual(['02-b/chapter.json lists src/main.ts in "changes", but it is identical to 01-a\'s copy.']);
  });

  it("syncFromPrevious copies undeclared files down and leaves declared ones alone", () => {
    const root = fakeSeries();
    writeFileSync(path.join(root, "chapters/01-a/src/shared.ts"), "improved\n");
    expect(syncFromPrevious("02-b", root)).toEqual(["src/shared.ts"]);
    expect(checkConsistency(root)).toEqual([]);
    expect(chapterDiff("01", "02", root)).toContain("+two");
  });
});

describe("chapterDiff", () => {
  it("names binary files (the icons) instead of printing their bytes", () => {
    const diff = chapterDiff("04-bundled-python", "05-packaging");
    expect(diff).toContain("Binary file build/icons/icon.icns added");
    expect(diff).not.toContain("\u0000");
  });

  it("names an unknown chapter and lists the known ones", () => {
    expect(() => chapterDiff("09", "final")).toThrow(/No chapter called "09"\. Known steps: 01-dev-loop/);
  });

  it("shows a file the step adds as coming from /dev/null, and accepts chapter numbers", () => {
    const root = fakeSeries();
    expect(chapterDiff("01", "02", root)).toMatch(/^--- \/dev\/null\n\+\+\+ b\/src\/new\.ts/m);
  });
});

describe("the per-file summary of npm run chapter:diff", () => {
  it("lists each file with its status and the lines it adds and removes", () => {
    const root = fakeSeries();
    writeFileSync(path.join(root, "chapters/02-b/src/main.ts"), "two\nand three\n");
    expect(diffSummary(splitUnifiedDiff(chapterDiff("01", "02", root)), "01", "02")).toBe(
      "2 files from 01 to 02 (1 added, 1 changed)\n" +
        "  src/main.ts  changed     +2  -1\n" +
        "  src/new.ts   added       +1  -0\n",
    );
  });

  it("says so when two steps do not differ, and names binary files", () => {
    expect(diffSummary([], "01", "01")).toBe("No changes from 01 to 01.\n");
    expect(diffSummary(splitUnifiedDiff("Binary file build/icons/icon.ico added\n"), "04", "05")).toContain("  build/icons/icon.ico  added    binary");
  });

  it("comes first in the command's output, before the diff itself", () => {
    const output = execFileSync(process.execPath, ["--import", "tsx", path.join(repoRoot, "scripts", "chapter-diff.ts"), "02", "03"], { encoding: "utf8" });
    const [summary, ...rest] = output.split("\n\n");
    expect(summary).toMatch(/^\d+ files from 02 to 03 \(\d+ added, \d+ changed\)\n/);
    expect(summary).toMatch(/^ {2}src\/token\.ts +added +\+\d+ {2}-0$/m);
    expect(rest.join("\n\n")).toMatch(/^--- \/dev\/null\n\+\+\+ b\/src\/token\.ts/m);
  });
});
