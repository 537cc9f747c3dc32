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
import { chapterDiff, repoRoot, splitUnifiedDiff, stepDir, type FileDiff } from "../../scripts/chapters.ts";

export { splitUnifiedDiff, type FileDiff };

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
