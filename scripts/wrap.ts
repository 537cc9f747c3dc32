/**
 * `npm run wrap -- <path to a Django project>`: the mechanical part of turning
 * another Django project into a desktop app the way final/ wraps the demo.
 *
 * It inspects the project (scripts/wrap/inspect.ts), prints what it found, and
 * then adds, without moving or renaming any of the project's files:
 *
 *   desktop_runtime/          the runtime contract's Django app (from django/, without its tests)
 *   desktop_settings/         settings that import the project's own and override what the desktop needs
 *   desktop/                  a copy of final/ with src/project.ts filled in, its shell tests, no demo tests
 *   desktop/WRAP.md           the decisions it could not make, each with file, line and what to do
 *   .github/workflows/desktop-package.yml   installers on macOS, Windows and Linux runners, at the
 *                                           git repository's root (above manage.py's folder when it sits in src/)
 *   .gitignore                a block that ignores build output but keeps desktop/build/
 *
 * Files that already exist are left as they are, so a second run changes
 * nothing and never undoes your edits.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { djangoResolvedPaths, venvPython } from "./wrap/askDjango.ts";
import { checkWheels, type WheelGap } from "./wrap/dependencies.ts";
import { desktopRequirements, desktopSettingsFiles } from "./wrap/desktopSettings.ts";
import { inspectProject, isFolder, WrapRefusal, type ProjectReport } from "./wrap/inspect.ts";
import { refuseUnsafeWrite } from "./wrap/safePaths.ts";
import { desktopPackageJson, gitignoreBlock, GITIGNORE_MARKER, iconsRecord, packagingWorkflow, projectFactsFor, renderProjectFacts, wrapReport, WRAP_MARKER } from "./wrap/shellFiles.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const USAGE = `Usage: npm run wrap -- <path to a Django project> [options]

Adds a desktop shell to the Django project whose manage.py is in that folder.

  --dry-run     print what it found and what it would write; change nothing
  --force       wrap even when the project's git checkout has uncommitted changes
  --name <name> the app's name in window titles and installers (default: the project's name in pyproject.toml or setup.cfg,
                else its README's title, else the folder name)
  --settings <module>  the settings module to build on, when manage.py names none or the wrong one (manage.py is not edited)
  --keep <package>     keep a package the wrap leaves out of desktop/requirements-desktop.txt (uwsgi, psycopg, boto3, ...); repeatable
  --help        print this

Afterwards: read desktop/WRAP.md, then \`npm install\` and \`npm run check\` in desktop/.`;

/** One file the wrap would write: where, and its content (or a folder to copy); `within` is the folder it must stay inside (default: manage.py's). */
type Planned = ({ file: string; content: string } | { file: string; copyFrom: string; filter: (source: string) => boolean }) & { within?: string };

/** Where the packaging workflow goes: the repository's root, where GitHub looks for workflows, even when manage.py sits in src/. */
function workflowFile(report: ProjectReport): string {
  return path.join(report.repository, ".github", "workflows", "desktop-package.yml");
}

const SHELL_SKIPPED = new Set(["node_modules", "dist", "out", "test-results", "playwright-report", "chapter.json", "README.md"]);

function plan(report: ProjectReport, name: string | undefined, wheelGaps: WheelGap[]): Planned[] {
  const root = report.root;
  const facts = projectFactsFor(report, name);
  const shellSource = path.join(repoRoot, "final");
  const settings = desktopSettingsFiles(report);
  const planned: Planned[] = [
    {
      file: path.join(root, "desktop_runtime"),
      copyFrom: path.join(repoRoot, "django", "desktop_runtime"),
      filter: (source) => !/[\\/](tests|__pycache__)([\\/]|$)/.test(path.relative(path.join(repoRoot, "django"), source)),
    },
    ...Object.entries(settings).map(([file, content]) => ({ file: path.join(root, "desktop_settings", file), content })),
    {
      file: path.join(root, "desktop"),
      copyFrom: shellSource,
      filter: (source) => {
        const relative = path.relative(shellSource, source).split(path.sep);
        if (SHELL_SKIPPED.has(relative[0]!) && relative.length === 1) return false;
        // The demo's own tests stay behind: they test ponies and routines, not the shell.
        return !(relative[0] === "test" && relative[1] === "demo");
      },
    },
    { file: path.join(root, "desktop", "src", "project.ts"), content: renderProjectFacts(readFileSync(path.join(shellSource, "src", "project.ts"), "utf8"), facts) },
    { file: path.join(root, "desktop", "package.json"), content: desktopPackageJson(readFileSync(path.join(shellSource, "package.json"), "utf8"), facts, report.appDescription) },
    // The starter's shared TypeScript options, for a desktop/ with no repository-level file to extend.
    { file: path.join(root, "desktop", "tsconfig.base.json"), content: readFileSync(path.join(repoRoot, "tsconfig.base.json"), "utf8") },
    ...["tsconfig.json", "tsconfig.build.json"].map((file) => ({
      file: path.join(root, "desktop", file),
      content: readFileSync(path.join(shellSource, file), "utf8").replace('"../tsconfig.base.json"', '"./tsconfig.base.json"'),
    })),
    { file: path.join(root, "desktop", "requirements-desktop.txt"), content: desktopRequirements(report, wheelGaps) },
    { file: path.join(root, "desktop", "assets", "icon.svg"), content: readFileSync(path.join(repoRoot, "assets", "brand", "pony.svg"), "utf8") },
    // The copied icons were made from that same art, now at the target's iconSource.
    { file: path.join(root, "desktop", "build", "icons", "icons.json"), content: iconsRecord(readFileSync(path.join(shellSource, "build", "icons", "icons.json"), "utf8"), facts) },
    {
      file: workflowFile(report),
      content: packagingWorkflow(facts, path.relative(report.repository, root).split(path.sep).join("/") || "."),
      within: report.repository,
    },
    { file: path.join(root, "desktop", "WRAP.md"), content: wrapReport(report, facts, readFileSync(path.join(root, "manage.py"), "utf8")) },
  ];
  return planned;
}

/** STATIC_URL, STATIC_ROOT and MEDIA_* from Django itself, in the project's virtualenv. */
function resolvedPaths(report: ProjectReport): string {
  if (!report.venv) return "(no virtualenv beside manage.py, so Django was not asked)";
  const env: Record<string, string> = report.secretKeyVariable ? { [report.secretKeyVariable]: "desktop-wrap-dry-run" } : {};
  const resolved = djangoResolvedPaths(report.root, report.settingsModule, venvPython(report.root, report.venv), env);
  if (typeof resolved === "string") return `(${resolved})`;
  return Object.entries(resolved).map(([name, value]) => `${name} ${value === null ? "(not set)" : value || "(empty)"}`).join(", ");
}

function describe(report: ProjectReport): string {
  const lines = [
    `Django project: ${report.root}`,
    `  settings: ${report.settingsModule} (${report.settingsKind}, ${report.settingsFile})${report.managePySettings && report.managePySettings !== report.settingsModule ? `; manage.py names ${report.managePySettings}` : ""}`,
    `  Python: ${report.pythonVersion}${report.pythonReasons.length ? ` (${report.pythonReasons.join("; ")})` : ""}; frontend build: ${report.frontendBuild ? report.frontendBuild.commands.map((command) => command.join(" ")).join(" && ") : "none"}`,
    `  root URLconf: ${report.rootUrlconf ?? "(not found)"}; WhiteNoise: ${report.usesWhiteNoise ? "yes" : "no"}`,
    `  static files and uploads, as Django resolves them: ${resolvedPaths(report)}`,
    `  pages behind a login: ${report.loginGated ? "yes" : "no"}; virtualenv: ${report.venv ?? "(none found)"}; requirements: ${report.requirements ?? "(none found)"}`,
    `  test settings: ${report.testSettings ? `${report.testSettings.module} (${report.testSettings.where})` : "(none of its own)"}; task queues: ${report.queues.length ? report.queues.map((queue) => `${queue.name}${queue.worker ? ` (worker: manage.py ${queue.worker})` : " (needs a broker: see WRAP.md)"}`).join(", ") : "none"}`,
    `  decisions: ${report.decisions.length} (listed in desktop/WRAP.md; "Nothing to do" marks those the wrap settled)`,
  ];
  for (const decision of report.decisions) lines.push(`    - [${decision.topic}] ${decision.where}: ${decision.found}`);
  return lines.join("\n");
}

/** Uncommitted changes in the project's git checkout; undefined when it is not a git checkout. */
function uncommittedChanges(root: string): string | undefined {
  const status = spawnSync("git", ["status", "--porcelain"], { cwd: root, encoding: "utf8" });
  if (status.status !== 0) return undefined;
  return status.stdout.trim();
}

function refuseUnsafeTargets(report: ProjectReport, force: boolean): void {
  const desktop = path.join(report.root, "desktop");
  if (isFolder(desktop) && !existsSync(path.join(desktop, "WRAP.md"))) {
    throw new WrapRefusal(
      `${desktop} already exists and was not written by npm run wrap (it has no WRAP.md). The wrap puts the shell there and never overwrites your files: ` +
        "rename or move that folder, then run the wrap again.",
    );
  }
  const changes = uncommittedChanges(report.root);
  if (changes && !force) {
    throw new WrapRefusal(
      `${report.root} has uncommitted changes:\n${changes}\nCommit or stash them first, so the wrap's changes can be reviewed on their own with git diff; ` +
        "or add --force to wrap anyway.",
    );
  }
}

function write(planned: Planned[], log: (line: string) => void): void {
  // Folders copied by this run: the files planned inside them replace the copy's.
  const copied: string[] = [];
  const keep = (file: string) => existsSync(file) && !copied.some((dir) => file.startsWith(dir + path.sep));
  for (const item of planned) {
    const shown = item.file;
    if ("content" in item) {
      if (keep(item.file)) continue;
      mkdirSync(path.dirname(item.file), { recursive: true });
      writeFileSync(item.file, item.content);
      log(`  wrote ${shown}`);
    } else {
      if (existsSync(item.file)) continue;
      cpSync(item.copyFrom, item.file, { recursive: true, filter: item.filter });
      copied.push(item.file);
      log(`  copied ${path.relative(repoRoot, item.copyFrom)} to ${shown}`);
    }
  }
}

function updateGitignore(root: string, log: (line: string) => void): void {
  const file = path.join(root, ".gitignore");
  const current = existsSync(file) ? readFileSync(file, "utf8") : "";
  if (current.includes(GITIGNORE_MARKER)) return;
  writeFileSync(file, `${current}${current && !current.endsWith("\n") ? "\n" : ""}${gitignoreBlock()}`);
  log(`  added the desktop block to ${file}`);
}

/** Asks PyPI which pinned packages lack a wheel for a platform the app ships; each becomes a decision. */
async function wheelDecisions(report: ProjectReport): Promise<WheelGap[]> {
  const { gaps, unchecked } = await checkWheels(report.resolvedRequirements.lines, report.pythonVersion);
  for (const gap of gaps) {
    report.decisions.push({
      topic: "dependencies",
      where: "desktop/requirements-desktop.txt",
      found: gap.sourceOnly
        ? `only a source archive on PyPI, no wheel: ${gap.line}`
        : `no wheel for ${gap.missing.join(", ")} on PyPI: ${gap.line} (Python ${report.pythonVersion})`,
      todo: gap.sourceOnly
        ? "pip builds a wheel from it when the stage installs: fine when the package is pure Python; if it has C code, each build runner needs a compiler and the library's headers, and the build often fails: pick another version or package, or leave it out if the desktop app does not need it."
        : "pip would build it from source on that platform, which needs a compiler and the library's headers on the build runner, and often fails: pick a version with wheels, replace the package, or leave it out if the desktop app does not need it.",
    });
  }
  const pinned = report.resolvedRequirements.lines.filter((line) => line.includes("=="));
  if (unchecked.length && unchecked.length >= pinned.length && pinned.length) {
    report.decisions.push({
      topic: "dependencies",
      where: "desktop/requirements-desktop.txt",
      found: "PyPI could not be asked which packages have wheels for macOS, Windows and Linux",
      todo: "Run the wrap again with network access (it changes nothing else), or check each package's files on pypi.org: every one needs a wheel for each platform, or a pure-Python one.",
    });
  }
  return gaps;
}

async function main(): Promise<void> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        "dry-run": { type: "boolean" },
        force: { type: "boolean" },
        name: { type: "string" },
        settings: { type: "string" },
        keep: { type: "string", multiple: true },
        help: { type: "boolean" },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals.length !== 1) {
    console.error(`Name one Django project folder.\n\n${USAGE}`);
    process.exit(2);
  }
  const root = path.resolve(process.env.INIT_CWD ?? process.cwd(), positionals[0]!);
  try {
    const report = inspectProject(root, { settings: values.settings, keep: values.keep });
    console.log(describe(report));
    const planned = plan(report, values.name, await wheelDecisions(report));
    if (values["dry-run"]) {
      console.log("\nWould write (nothing is changed with --dry-run; files that exist are kept):");
      for (const item of planned) {
        const where = item.within && item.within !== root ? " (at the repository's root, where GitHub reads workflows)" : "";
        console.log(`  ${item.file}${where}${existsSync(item.file) ? " (exists, kept)" : ""}`);
      }
      console.log(`  ${path.join(root, ".gitignore")} (${WRAP_MARKER} block)`);
      return;
    }
    refuseUnsafeTargets(report, Boolean(values.force));
    // Every path first: a link anywhere refuses the whole wrap before anything is written.
    for (const item of [...planned, { file: path.join(root, ".gitignore") }]) refuseUnsafeWrite("within" in item && item.within ? item.within : root, item.file);
    console.log("\nWriting:");
    const log = (line: string) => console.log(line);
    write(planned, log);
    updateGitignore(root, log);
    if (report.repository !== root) console.log(`\nThe packaging workflow is ${workflowFile(report)}: GitHub reads workflows only at the repository's root, and its paths lead from there to ${path.relative(report.repository, path.join(root, "desktop"))}/.`);
    console.log(`\nNext: read ${path.join(root, "desktop", "WRAP.md")}, then in ${path.join(root, "desktop")}: npm install, npm run check.`);
  } catch (error) {
    if (error instanceof WrapRefusal) {
      console.error(`\nnpm run wrap: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

await main();
