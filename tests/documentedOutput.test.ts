/**
 * Outputs the docs quote, produced by the code that prints them: when the
 * code's words change, this fails until the docs say the same.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const repoRoot = path.resolve(__dirname, "..");

describe("chapter 02's broken start", () => {
  for (const page of ["chapters/02-health-and-port/README.md", "docs/chapters/02-health-and-port.md"]) {
    // tests/standin/brokenFirstStart.test.ts runs each shell against a broken project and checks it prints this line.
    it(`${page} quotes what the shell prints while its window shows Django's error page`, () => {
      const text = readFileSync(path.join(repoRoot, page), "utf8");
      const quoted = /`(Django cannot load the project; [^`]+)`/.exec(text)?.[1];
      expect(quoted, `${page} no longer quotes the shell's line`).toBeDefined();
      expect(readFileSync(path.join(repoRoot, "chapters", "02-health-and-port", "src", "main.ts"), "utf8")).toContain(`"${quoted!}"`);
    });

    // tests/chapter-backends.test.ts runs the script against a broken project and checks it prints these lines and keeps running.
    it(`${page} quotes what npm run backend prints, Django's line and the script's`, () => {
      const text = readFileSync(path.join(repoRoot, page), "utf8");
      const django = /`(desktop_serve: fix it[^`]+)`/.exec(text)?.[1];
      const script = /`(Still running: [^`]+)`/.exec(text)?.[1];
      expect(django, `${page} no longer quotes Django's line`).toBeDefined();
      expect(script, `${page} no longer quotes the script's line`).toBeDefined();
      expect(readFileSync(path.join(repoRoot, "django", "desktop_runtime", "devloop.py"), "utf8")).toContain(django!);
      expect(readFileSync(path.join(repoRoot, "chapters", "02-health-and-port", "scripts", "backend.ts"), "utf8")).toContain(script!);
    });
  }
});
