/**
 * The Node.js and Python versions a learner needs are stated on several pages;
 * each must say what the code enforces: package.json's engines for Node,
 * MIN_PYTHON (scripts/python-env.ts) for Python.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MIN_PYTHON } from "../scripts/python-env.ts";

const repoRoot = path.resolve(__dirname, "..");
const PAGES = ["README.md", "SKILL.md", "docs/getting-started.md", "docs/bring-your-own-django.md", "docs/reference/troubleshooting.md"];
const nodeMinimum = /^>=(\d+\.\d+)/.exec((JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { engines: { node: string } }).engines.node)![1];

describe("stated requirements", () => {
  it("package.json names a Node.js minimum", () => {
    expect(nodeMinimum).toMatch(/^\d+\.\d+$/);
  });

  for (const page of PAGES) {
    it(`${page} states the Node.js and Python minimums the code enforces`, () => {
      const text = readFileSync(path.join(repoRoot, page), "utf8").replace(/\s+/g, " ");
      for (const [, version] of text.matchAll(/Node(?:\.js)? (\d+\.\d+) or newer/g)) expect(version, `${page}: Node.js`).toBe(nodeMinimum);
      for (const [, version] of text.matchAll(/Python (\d+\.\d+) or newer/g)) expect(version, `${page}: Python`).toBe(MIN_PYTHON.join("."));
      expect(/(?:Node(?:\.js)?|Python) \d+\.\d+ or newer/.test(text), `${page} states no requirement any more: drop it from this test`).toBe(true);
    });
  }
});
