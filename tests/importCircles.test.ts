/**
 * No module imports itself back through others: an import circle makes the
 * order modules load in matter, and hides which one owns the names both use.
 * TypeScript: every relative import (type-only ones too) of the tooling, the
 * shells and their scripts. Python: desktop_runtime's imports of its own
 * modules, at module level and inside functions alike.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const repoRoot = path.resolve(__dirname, "..");
const SKIP = new Set(["node_modules", "dist", "out", "target", ".venv", "template", ".vitepress", "fixtures", ".stage", ".cache"]);

function filesBelow(dir: string, extension: string, found: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name) || name.startsWith(".")) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) filesBelow(full, extension, found);
    else if (full.endsWith(extension)) found.push(full);
  }
  return found;
}

/** The first circle in `graph`, as the list of files around it, or undefined. */
export function findCircle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === "done") return undefined;
    if (state.get(node) === "visiting") return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, "visiting");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const circle = visit(next);
      if (circle) return circle;
    }
    stack.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of graph.keys()) {
    const circle = visit(node);
    if (circle) return circle;
  }
  return undefined;
}

function typescriptGraph(roots: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of roots.flatMap((root) => filesBelow(path.join(repoRoot, root), ".ts"))) {
    const imports: string[] = [];
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+["'](\.[^"']+)["']/gm)) {
      const target = path.resolve(path.dirname(file), specifier!).replace(/\.(ts|js)$/, "");
      imports.push(path.relative(repoRoot, `${target}.ts`));
    }
    graph.set(path.relative(repoRoot, file), imports);
  }
  return graph;
}

function pythonGraph(packageDir: string, packageName: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const moduleOf = (file: string) => path.relative(path.dirname(packageDir), file).replace(/\.py$/, "").replace(/[\\/]__init__$/, "").split(path.sep).join(".");
  const known = new Set(filesBelow(packageDir, ".py").map(moduleOf));
  for (const file of filesBelow(packageDir, ".py")) {
    if (file.includes(`${path.sep}tests${path.sep}`)) continue;
    const module = moduleOf(file);
    const base = file.endsWith("__init__.py") ? module : module.split(".").slice(0, -1).join(".");
    const imports = new Set<string>();
    for (const [, source, names] of readFileSync(file, "utf8").matchAll(/^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)/gm)) {
      let from = source!;
      if (from.startsWith(".")) {
        const dots = /^\.+/.exec(from)![0].length;
        const parts = base.split(".");
        from = [...parts.slice(0, parts.length - (dots - 1)), from.slice(dots)].filter(Boolean).join(".");
      }
      if (!from.startsWith(packageName)) continue;
      for (const name of names!.replace(/[()]/g, " ").split(",").map((part) => part.trim().split(/\s+/)[0]!)) {
        imports.add(known.has(`${from}.${name}`) ? `${from}.${name}` : from);
      }
    }
    for (const [, imported] of readFileSync(file, "utf8").matchAll(/^[ \t]*import[ \t]+([\w.]+)/gm)) if (known.has(imported!)) imports.add(imported!);
    imports.delete(module);
    graph.set(module, [...imports].filter((target) => known.has(target)));
  }
  return graph;
}

describe("import circles", () => {
  it("finds a circle when there is one (the finder itself)", () => {
    expect(findCircle(new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]]))).toEqual(["a", "b", "c", "a"]);
    expect(findCircle(new Map([["a", ["b"]], ["b", []]]))).toBeUndefined();
  });

  it("none among the TypeScript of the tooling, the shells and their scripts", () => {
    const circle = findCircle(typescriptGraph(["scripts", "tests", "final", "chapters", "experiments/tauri/scripts", "cli"]));
    expect(circle, circle?.join(" -> ")).toBeUndefined();
  });

  it("none among desktop_runtime's Python modules", () => {
    const circle = findCircle(pythonGraph(path.join(repoRoot, "django", "desktop_runtime"), "desktop_runtime"));
    expect(circle, circle?.join(" -> ")).toBeUndefined();
  });
});
