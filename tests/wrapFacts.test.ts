/**
 * The project facts the wrap writes: final/src/project.ts with the facts put
 * back in. Written with the demo's own facts, the file must come out unchanged;
 * a key written twice (which tsc refuses in a wrapped project) would not.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ProjectFacts } from "../final/src/project.ts";
import * as projectModule from "../final/src/project.ts";
import { renderProjectFacts } from "../scripts/wrap/shellFiles.ts";

// final/ is CommonJS: depending on the loader its default export arrives once or twice wrapped.
const loaded = (projectModule as unknown as { default: ProjectFacts | { default: ProjectFacts } }).default;
const project: ProjectFacts = "default" in loaded ? loaded.default : loaded;

describe("renderProjectFacts", () => {
  it("writes final/src/project.ts back unchanged from its own facts, each key once", () => {
    const source = readFileSync(path.resolve(__dirname, "..", "final", "src", "project.ts"), "utf8");
    const rendered = renderProjectFacts(source, project);
    expect(rendered).toBe(source);
  });

  it("writes a frontend build's commands as a list of argument lists", () => {
    const source = readFileSync(path.resolve(__dirname, "..", "final", "src", "project.ts"), "utf8");
    const rendered = renderProjectFacts(source, { ...project, frontendBuild: { cwd: "..", commands: [["npm", "ci"], ["npm", "run", "build"]] } });
    expect(rendered.match(/^\s*frontendBuild:/gm)).toHaveLength(2); // the interface's field and the one value
    expect(rendered).toContain('frontendBuild: { cwd: "..", commands: [["npm", "ci"], ["npm", "run", "build"]] },');
  });
});
