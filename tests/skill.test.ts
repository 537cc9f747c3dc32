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
 * Every command SKILL.md tells an agent to run, and where a test runs it: the
 * npx package test (tests/cliPackage.test.ts) wraps and checks the outside
 * fixture from an installed package, and the wrap test (tests/wrap.test.ts)
 * follows SKILL.md's later stages on it. A new command in SKILL.md fails
 * here until a test runs it.
 */
const COMMANDS_RUN_BY_TESTS: Record<string, { file: string; runs: string }> = {
  "npx desktop-django-starter wrap <target> --dry-run": { file: "tests/cliPackage.test.ts", runs: 'npx(installDir, ["desktop-django-starter", "wrap", target, "--dry-run"])' },
  "npx desktop-django-starter wrap <target>": { file: "tests/cliPackage.test.ts", runs: 'npx(installDir, ["desktop-django-starter", "wrap", target])' },
  "python -m pip install -r desktop/requirements-desktop.txt": {
    file: "tests/wrap.test.ts",
    runs: 'run([python(), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", "desktop/requirements-desktop.txt"], target)',
  },
  "DJANGO_SETTINGS_MODULE=desktop_settings.test python manage.py test": {
    file: "tests/wrap.test.ts",
    runs: 'run([python(), "manage.py", "test", "--noinput"], target, testEnv)',
  },
  "npx desktop-django-starter check <target>": { file: "tests/cliPackage.test.ts", runs: 'npx(installDir, ["desktop-django-starter", "check", target])' },
  "npm install": { file: "tests/wrap.test.ts", runs: '[...npmCli, "install"' },
  "npm run icons": { file: "tests/wrap.test.ts", runs: 'npmRun(desktop, "icons")' },
  "npm run check": { file: "tests/wrap.test.ts", runs: 'npmRun(desktop, "check")' },
  "npm run stage -- --local-python": { file: "tests/wrapReal.test.ts", runs: 'npmRun(desktop, "stage", ["--local-python"])' },
  "npm run stage -- --python-archive <archive> --wheelhouse <wheelhouse>": {
    file: "tests/wrap.test.ts",
    runs: 'npmRun(desktop, "stage", ["--python-archive", archive.file, "--wheelhouse", wheelhouse])',
  },
  "npm run check -- --staged": { file: "tests/wrap.test.ts", runs: 'npmRun(desktop, "check", ["--staged"])' },
};

/** The commands in SKILL.md's ```sh blocks, one per line, without comments. */
function fencedCommands(): string[] {
  return [...text.matchAll(/^```sh\n([\s\S]*?)^```/gm)]
    .flatMap((match) => match[1]!.split("\n"))
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line && !line.startsWith("#"));
}

/** The demo's names: only final/src/project.ts may hold them, so a copied shell changes one file. */
const DEMO_NAMES = /Flying Stable|flying_stable|desktop_django_starter|example_app|run_routines|\.\.\/django\b|assets\/brand/;

function shellFilesNamingTheDemo(): string[] {
  const files = ["final/electron-builder.config.ts"];
  for (const folder of ["final/src", "final/scripts"]) {
    for (const name of readdirSync(path.join(repoRoot, folder))) if (name.endsWith(".ts")) files.push(`${folder}/${name}`);
  }
  return files.filter((file) => file !== "final/src/project.ts" && DEMO_NAMES.test(readFileSync(path.join(repoRoot, file), "utf8")));
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
    for (const topic of ["manage.py", "settings", "static files", "database", "login", "writes", "CDN", "WRAP.md", "virtualenv", "--settings", "--keep", "requires-python", "frontend build", "test settings", "huey", "django-q2", "Celery"]) {
      expect(text.toLowerCase()).toContain(topic.toLowerCase());
    }
  });

  it("gives only commands that a test runs, in stage order", () => {
    const commands = fencedCommands();
    expect(commands).toEqual(Object.keys(COMMANDS_RUN_BY_TESTS));
    for (const [command, { file, runs }] of Object.entries(COMMANDS_RUN_BY_TESTS)) {
      expect(readFileSync(path.join(repoRoot, file), "utf8"), `${file} runs ${command}`).toContain(runs);
    }
  });

  it("asks for a desktop/ script only after the npm install that installs its tools", () => {
    // `npm run <script>` in <target>/desktop/ needs desktop/node_modules (tsx): an earlier one fails with "tsx: not found".
    const install = text.indexOf("```sh\nnpm install\n");
    expect(install).toBeGreaterThan(0);
    const early = [...text.matchAll(/`npm run [\w:-]+[^`]*`[^`]{0,40}`<target>\/desktop\/`/g)].filter((match) => match.index < install).map((match) => match[0]);
    expect(early).toEqual([]);
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

describe("final/ as the template a project copies", () => {
  it("names the demo nowhere in src/ and scripts/ but in src/project.ts", () => {
    expect(shellFilesNamingTheDemo()).toEqual([]);
  });
});
