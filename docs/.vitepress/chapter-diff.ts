/**
 * The lesson of each chapter is its diff against the previous one. This
 * markdown-it plugin renders that diff at build time, straight from the
 * repository, so a page can never show a stale copy. A page writes
 *
 *     ```chapter-diff 02-health-and-port 03-token
 *     ```
 *
 * and gets one collapsible, highlighted `diff` block per changed file, computed
 * by the same `chapterDiff` that `npm run chapter:diff` prints.
 */
import { existsSync } from "node:fs";
import type { MarkdownRenderer } from "vitepress";
import { chapterDiff, repoRoot, stepDir } from "../../scripts/chapters.ts";

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

/** Boilerplate every step carries, and generated files: shown folded, since the lesson is elsewhere. */
const FOLDED = [/^test\//, /^build\/icons\//, /^package\.json$/, /^tsconfig[\w.]*\.json$/, /^(vitest|playwright)\.config\.ts$/];

/** The code a chapter adds or changes starts open; tests, project boilerplate and generated files start folded. */
function openByDefault(file: FileDiff): boolean {
  return !file.binary && !FOLDED.some((pattern) => pattern.test(file.path));
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

interface Rendered {
  html: string;
  fence?: string;
}

/** The diff between two steps as a sequence of HTML fragments and diff fences, or a note when a step is not in the repository yet. */
export function renderChapterDiff(from: string, to: string, escape: (text: string) => string, root = repoRoot): Rendered[] {
  const missing = [from, to].filter((step) => step !== "final" && !existsSync(stepDir(step, root)));
  if (missing.length || (to === "final" && !existsSync(stepDir("final", root)))) {
    const names = missing.length ? missing : [to];
    return [
      {
        html:
          `<div class="custom-block info chapter-diff-pending"><p>The diff from <code>${escape(from)}</code> to <code>${escape(to)}</code> ` +
          `appears here once ${names.map((name) => `<code>${escape(name)}</code>`).join(" and ")} is in the repository.</p></div>\n`,
      },
    ];
  }
  const files = splitUnifiedDiff(chapterDiff(from, to, root));
  const counts = (["added", "changed", "removed"] as const)
    .map((status) => [status, files.filter((file) => file.status === status).length] as const)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`);
  const parts: Rendered[] = [
    {
      html:
        `<div class="chapter-diff" data-from="${escape(from)}" data-to="${escape(to)}">\n` +
        `<p class="chapter-diff-summary">${plural(files.length, "file")} (${counts.join(", ") || "no changes"}) ` +
        `from <code>${escape(from)}</code> to <code>${escape(to)}</code>. ` +
        `The same diff in a terminal: <code>npm run chapter:diff -- ${escape(from)} ${escape(to)}</code></p>\n`,
    },
  ];
  for (const file of files) {
    const summary =
      `<summary><code>${escape(file.path)}</code> <span class="chapter-diff-status ${file.status}">${file.status}</span>` +
      (file.binary ? "" : ` <span class="chapter-diff-count added">+${file.added}</span> <span class="chapter-diff-count removed">−${file.removed}</span>`) +
      `</summary>\n`;
    const opening = `<details class="chapter-diff-file"${openByDefault(file) ? " open" : ""}>\n${summary}`;
    if (file.binary) {
      parts.push({ html: `${opening}<p class="chapter-diff-binary">Binary file, not shown.</p>\n</details>\n` });
    } else {
      parts.push({ html: opening, fence: file.hunks }, { html: "</details>\n" });
    }
  }
  parts.push({ html: "</div>\n" });
  return parts;
}

// VitePress bundles its own markdown-it types; derive the core-rule types from them.
type CoreRule = Parameters<MarkdownRenderer["core"]["ruler"]["after"]>[2];
type StateCore = Parameters<CoreRule>[0];
type Token = StateCore["tokens"][number];

const FENCE_INFO = /^chapter-diff\s+(\S+)\s+(\S+)\s*$/;

export function chapterDiffPlugin(md: MarkdownRenderer, options: { root?: string } = {}): void {
  md.core.ruler.after("block", "chapter-diff", (state: StateCore) => {
    const tokens: Token[] = [];
    for (const token of state.tokens) {
      const match = token.type === "fence" ? FENCE_INFO.exec(token.info.trim()) : null;
      if (!match) {
        tokens.push(token);
        continue;
      }
      for (const part of renderChapterDiff(match[1]!, match[2]!, md.utils.escapeHtml, options.root)) {
        const html = new state.Token("html_block", "", 0);
        html.content = part.html;
        html.map = token.map;
        tokens.push(html);
        if (part.fence !== undefined) {
          const fence = new state.Token("fence", "code", 0);
          fence.info = "diff";
          fence.markup = "```";
          fence.content = part.fence;
          fence.map = token.map;
          tokens.push(fence);
        }
      }
    }
    state.tokens = tokens;
  });
}
