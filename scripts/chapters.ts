/**
 * The chapter series: which folders are steps, what each declares it changes,
 * the diff between two steps, and the consistency check that keeps every
 * undeclared file byte-identical to the previous step's copy.
 *
 * Used by `npm run chapter:diff`, `npm run check:chapters` and the docs site.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createTwoFilesPatch } from "diff";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Files every step rewrites: its own name, its lesson text and this declaration. */
export const ALWAYS_CHANGED = ["package.json", "README.md", "chapter.json"];
/** Prose that the diff leaves out: the README describes the change rather than being it. */
const NOT_IN_DIFF = new Set(["README.md", "chapter.json"]);
const IGNORED_DIRS = new Set(["node_modules", "dist", "out", "test-results", "playwright-report", ".cache"]);
/** Files the OS's file browser leaves behind (git-ignored too), so opening a chapter in Finder or Explorer is not drift. */
const IGNORED_FILES = new Set([".DS_Store", "Thumbs.db", "desktop.ini"]);

export interface ChapterManifest {
  title: string;
  previous: string | null;
  /** Paths relative to the step folder, added, changed or removed since `previous`. */
  changes: string[];
}

/** The series in order: chapters/NN-name folders, then final. */
export function steps(root = repoRoot): string[] {
  const chapters = readdirSync(path.join(root, "chapters"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^\d\d-/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
  return existsSync(path.join(root, "final", "chapter.json")) ? [...chapters, "final"] : chapters;
}

export function stepDir(step: string, root = repoRoot): string {
  return step === "final" ? path.join(root, "final") : path.join(root, "chapters", step);
}

export function readManifest(step: string, root = repoRoot): ChapterManifest {
  const file = path.join(stepDir(step, root), "chapter.json");
  if (!existsSync(file)) throw new Error(`${path.relative(root, file)} is missing: every step declares its title, previous step and changed files.`);
  return JSON.parse(readFileSync(file, "utf8")) as ChapterManifest;
}

/** Every file of a step, as sorted forward-slash paths relative to the step folder. */
export function listFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!IGNORED_DIRS.has(entry.name)) walk(path.join(current, entry.name));
      } else if (entry.isFile() && !IGNORED_FILES.has(entry.name)) {
        files.push(path.relative(dir, path.join(current, entry.name)).split(path.sep).join("/"));
      }
    }
  };
  walk(dir);
  return files.sort();
}

function resolveStep(name: string, root: string): string {
  if (name === "final") return "final";
  const match = steps(root).find((step) => step === name || step.startsWith(`${name}-`));
  if (!match) throw new Error(`No chapter called "${name}". Known steps: ${steps(root).join(", ")}.`);
  return match;
}

/** A unified diff from step `from` to step `to` (a chapter name, its number like "03", or "final"). */
export function chapterDiff(from: string, to: string, root = repoRoot): string {
  const a = stepDir(resolveStep(from, root), root);
  const b = stepDir(resolveStep(to, root), root);
  const aFiles = new Set(listFiles(a));
  const bFiles = new Set(listFiles(b));
  const all = [...new Set([...aFiles, ...bFiles])].filter((file) => !NOT_IN_DIFF.has(file)).sort();
  const patches: string[] = [];
  for (const file of all) {
    const beforeBytes = aFiles.has(file) ? readFileSync(path.join(a, file)) : Buffer.alloc(0);
    const afterBytes = bFiles.has(file) ? readFileSync(path.join(b, file)) : Buffer.alloc(0);
    if (beforeBytes.equals(afterBytes)) continue;
    if (beforeBytes.includes(0) || afterBytes.includes(0)) {
      patches.push(`Binary file ${file} ${!aFiles.has(file) ? "added" : !bFiles.has(file) ? "removed" : "changed"}`);
      continue;
    }
    const before = beforeBytes.toString("utf8");
    const after = afterBytes.toString("utf8");
    const patch = createTwoFilesPatch(
      aFiles.has(file) ? `a/${file}` : "/dev/null",
      bFiles.has(file) ? `b/${file}` : "/dev/null",
      before,
      after,
      undefined,
      undefined,
      { context: 3 },
    );
    // Drop the "Index:" and "====" header lines the library adds; keep the ---/+++ header.
    patches.push(patch.split("\n").filter((line) => !line.startsWith("Index: ") && !/^=+$/.test(line)).join("\n"));
  }
  return patches.join("\n").trimEnd() + "\n";
}

/** Problems with the series: undeclared drift, declared changes that did not happen, broken links. */
export function checkConsistency(root = repoRoot): string[] {
  const problems: string[] = [];
  const series = steps(root);
  for (const [index, step] of series.entries()) {
    let manifest: ChapterManifest;
    try {
      manifest = readManifest(step, root);
    } catch (error) {
      problems.push((error as Error).message);
      continue;
    }
    const expectedPrevious = index === 0 ? null : series[index - 1]!;
    if (manifest.previous !== expectedPrevious) {
      problems.push(`${step}/chapter.json: "previous" is ${JSON.stringify(manifest.previous)}, expected ${JSON.stringify(expectedPrevious)}.`);
    }
    if (!manifest.previous) continue;
    const here = stepDir(step, root);
    const before = stepDir(manifest.previous, root);
    const hereFiles = new Set(listFiles(here));
    const beforeFiles = new Set(listFiles(before));
    const declared = new Set(manifest.changes);
    for (const file of [...new Set([...hereFiles, ...beforeFiles])].sort()) {
      if (ALWAYS_CHANGED.includes(file)) continue;
      const same =
        hereFiles.has(file) && beforeFiles.has(file) && readFileSync(path.join(here, file)).equals(readFileSync(path.join(before, file)));
      if (!same && !declared.has(file)) {
        const what = !hereFiles.has(file) ? "was removed" : !beforeFiles.has(file) ? "was added" : "differs";
        problems.push(`${step}/${file} ${what} compared with ${manifest.previous}, but ${step}/chapter.json does not list it in "changes".`);
      }
      if (same && declared.has(file)) {
        problems.push(`${step}/chapter.json lists ${file} in "changes", but it is identical to ${manifest.previous}'s copy.`);
      }
    }
    for (const file of declared) {
      if (!hereFiles.has(file) && !beforeFiles.has(file)) problems.push(`${step}/chapter.json lists ${file}, which exists in neither step.`);
    }
  }
  return problems;
}

/**
 * Copies every file the step does not declare as changed from its previous
 * step, so an edit to an early chapter flows down the series. Returns the
 * copied paths. Files only the step has, and undeclared, are left for the
 * consistency check to report.
 */
export function syncFromPrevious(step: string, root = repoRoot): string[] {
  const manifest = readManifest(step, root);
  if (!manifest.previous) return [];
  const here = stepDir(step, root);
  const before = stepDir(manifest.previous, root);
  const keep = new Set([...ALWAYS_CHANGED, ...manifest.changes]);
  const copied: string[] = [];
  for (const file of listFiles(before)) {
    if (keep.has(file)) continue;
    const target = path.join(here, file);
    const source = path.join(before, file);
    if (existsSync(target) && readFileSync(target).equals(readFileSync(source))) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(source, target);
    copied.push(file);
  }
  return copied;
}

export interface FileDiff {
  path: string;
  status: "added" | "removed" | "changed";
  added: number;
  removed: number;
  /** The hunks, without the ---/+++ file header (the page shows the path above them). */
  hunks: string;
  binary: boolean;
}

const HUNK_HEADER = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/;

/** Splits a multi-file unified diff into files, counting hunk lines so a removed "-- x" line is never mistaken for a header. */
export function splitUnifiedDiff(diff: string): FileDiff[] {
  const lines = diff.split("\n");
  const files: FileDiff[] = [];
  let i = 0;
  while (i < lines.length) {
    const oldLine = lines[i]!;
    const newLine = lines[i + 1];
    // chapterDiff() names binary files (the icons) on one line instead of printing their bytes.
    const binaryFile = /^Binary file (\S+) (added|removed|changed)$/.exec(oldLine);
    if (binaryFile) {
      files.push({ path: binaryFile[1]!, status: binaryFile[2] as FileDiff["status"], added: 0, removed: 0, hunks: "", binary: true });
      i += 1;
      continue;
    }
    if (!oldLine.startsWith("--- ") || !newLine?.startsWith("+++ ")) {
      i += 1;
      continue;
    }
    const oldName = oldLine.slice(4).trim();
    const newName = newLine.slice(4).trim();
    i += 2;
    const body: string[] = [];
    let added = 0;
    let removed = 0;
    while (i < lines.length && HUNK_HEADER.test(lines[i]!)) {
      const [, oldCount = "1", newCount = "1"] = HUNK_HEADER.exec(lines[i]!)!;
      let oldLeft = Number(oldCount);
      let newLeft = Number(newCount);
      body.push(lines[i]!);
      i += 1;
      while (i < lines.length && (oldLeft > 0 || newLeft > 0 || lines[i]!.startsWith("\\"))) {
        const line = lines[i]!;
        if (line.startsWith("+")) {
          newLeft -= 1;
          added += 1;
        } else if (line.startsWith("-")) {
          oldLeft -= 1;
          removed += 1;
        } else if (!line.startsWith("\\")) {
          oldLeft -= 1;
          newLeft -= 1;
        }
        body.push(line);
        i += 1;
      }
    }
    const hunks = body.join("\n");
    files.push({
      path: (newName === "/dev/null" ? oldName : newName).replace(/^[ab]\//, ""),
      status: oldName === "/dev/null" ? "added" : newName === "/dev/null" ? "removed" : "changed",
      added,
      removed,
      hunks: hunks + "\n",
      binary: false,
    });
  }
  return files;
}

/**
 * The per-file summary `npm run chapter:diff` prints before the diff, the same
 * counts the docs page shows above each file:
 *
 *     3 files from 02-health-and-port to 03-token (2 added, 1 changed)
 *       src/token.ts   added    +40  -0
 */
export function diffSummary(files: FileDiff[], from: string, to: string): string {
  if (!files.length) return `No changes from ${from} to ${to}.\n`;
  const counts = (["added", "changed", "removed"] as const)
    .map((status) => [status, files.filter((file) => file.status === status).length] as const)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`);
  const width = Math.max(...files.map((file) => file.path.length));
  const rows = files.map((file) =>
    `  ${file.path.padEnd(width)}  ${file.status.padEnd(7)}  ${file.binary ? "binary" : `+${file.added}`.padStart(5) + `  -${file.removed}`}`.trimEnd(),
  );
  return `${files.length} file${files.length === 1 ? "" : "s"} from ${from} to ${to} (${counts.join(", ")})\n${rows.join("\n")}\n`;
}
