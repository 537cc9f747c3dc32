/**
 * The shell-side files `npm run wrap` writes into desktop/: the project facts,
 * package.json, the TypeScript base config, the packaging workflow, the
 * .gitignore block and WRAP.md, the report of what is left for you to decide.
 */
import path from "node:path";
import type { ProjectFacts } from "../../final/src/project.ts";
import { testedDjango, type Decision, type ProjectReport } from "./inspect.ts";
import { managePySection } from "./managePy.ts";

export const WRAP_MARKER = "desktop-django-starter wrap";
export const GITIGNORE_MARKER = `# --- ${WRAP_MARKER}`;

function titleCase(folder: string): string {
  return folder
    .split(/[-_\s]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join(" ");
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "django-desktop";
}

/**
 * The project facts for a wrapped project: its shell is desktop/, beside manage.py.
 * The name is `name` (--name), else the project's own (pyproject.toml, setup.cfg, the README's title), else the folder's.
 */
export function projectFactsFor(report: ProjectReport, name?: string): ProjectFacts {
  const productName = name ?? titleCase(report.appName ?? path.basename(report.root));
  const executableName = slug(productName);
  return {
    productName,
    appId: `org.example.${executableName.replace(/-/g, "")}`,
    executableName,
    djangoDir: "..",
    settings: { development: "desktop_settings.dev", packaged: "desktop_settings.packaged" },
    requirements: "desktop/requirements-desktop.txt",
    venv: report.venv ?? ".venv",
    devAppData: ".dev-data",
    splash: "desktop_runtime/templates/desktop_runtime/splash.html",
    iconSource: "assets/icon.svg",
    stageDir: ".stage",
    npmWorkspace: "",
    frontendBuild: report.frontendBuild ? { cwd: report.frontendBuild.cwd, commands: report.frontendBuild.commands } : { cwd: ".", commands: [] },
    pythonVersion: report.pythonVersion,
  };
}

/** The object literal of src/project.ts, in the file's own layout. */
function factsLiteral(facts: ProjectFacts): string {
  const quote = (value: string) => JSON.stringify(value);
  return [
    "const project: ProjectFacts = {",
    `  productName: ${quote(facts.productName)},`,
    `  appId: ${quote(facts.appId)},`,
    `  executableName: ${quote(facts.executableName)},`,
    `  djangoDir: ${quote(facts.djangoDir)},`,
    "  settings: {",
    `    development: ${quote(facts.settings.development)},`,
    `    packaged: ${quote(facts.settings.packaged)},`,
    "  },",
    `  requirements: ${quote(facts.requirements)},`,
    `  venv: ${quote(facts.venv)},`,
    `  devAppData: ${quote(facts.devAppData)},`,
    `  splash: ${quote(facts.splash)},`,
    `  iconSource: ${quote(facts.iconSource)},`,
    `  stageDir: ${quote(facts.stageDir)},`,
    `  npmWorkspace: ${quote(facts.npmWorkspace)},`,
    `  frontendBuild: { cwd: ${quote(facts.frontendBuild.cwd)}, commands: [${facts.frontendBuild.commands.map((command) => `[${command.map(quote).join(", ")}]`).join(", ")}] },`,
    `  pythonVersion: ${quote(facts.pythonVersion)},`,
    "};",
  ].join("\n");
}

/** final/src/project.ts with its facts replaced by `facts`; everything else in the file stays. */
export function renderProjectFacts(source: string, facts: ProjectFacts): string {
  const start = source.indexOf("const project: ProjectFacts = {");
  const end = source.indexOf("\n};", start);
  if (start === -1 || end === -1) throw new Error("final/src/project.ts no longer has `const project: ProjectFacts = { ... };`: update scripts/wrap/shellFiles.ts.");
  return `${source.slice(0, start)}${factsLiteral(facts)}${source.slice(end + 3)}`;
}

/** final's package.json for a shell that is its own npm package; the description is the project's own (pyproject.toml) when it has one. */
export function desktopPackageJson(source: string, facts: ProjectFacts, description?: string): string {
  const pkg = JSON.parse(source) as Record<string, unknown>;
  pkg.name = `${facts.executableName}-desktop`;
  pkg.version = "0.1.0";
  pkg.description = description ?? `${facts.productName} as a desktop app: an Electron shell around its Django project.`;
  pkg.author = `${facts.productName} developers`;
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** build/icons/icons.json with the art's path as the wrapped shell names it (the art itself is the same). */
export function iconsRecord(source: string, facts: ProjectFacts): string {
  const record = JSON.parse(source) as { source: string; sha256: string };
  return `${JSON.stringify({ ...record, source: facts.iconSource }, null, 2)}\n`;
}

export function gitignoreBlock(): string {
  return [
    GITIGNORE_MARKER,
    "# The desktop shell's build output and local state. desktop/build/ holds the",
    "# icons and macOS entitlements and is committed, even under a build/ rule.",
    "desktop/node_modules/",
    "desktop/dist/",
    "desktop/out/",
    "desktop/.stage/",
    "desktop/test-results/",
    ".dev-data/",
    "!desktop/build/",
    "",
  ].join("\n");
}

/**
 * .github/workflows/desktop-package.yml at the git repository's root (where
 * GitHub looks for workflows): the installers on each platform's own runner.
 * `djangoDir` is manage.py's folder relative to that root, "/"-separated ("." when it is the root).
 */
export function packagingWorkflow(facts: ProjectFacts, djangoDir = "."): string {
  const shell = djangoDir === "." ? "desktop" : `${djangoDir}/desktop`;
  return `# Builds ${facts.productName}'s desktop installers on macOS, Windows and Linux
# runners (written by desktop-django-starter's npm run wrap). Each job stages the
# backend (a python-build-standalone runtime, the Django code, collected static
# files) and runs electron-builder in ${shell}/. Each runner only receives its own
# platform's certificate. Without a DDS_UPDATE_URL variable the builds have no update
# feed and need no secrets. With one, a macOS or Windows build stops unless its
# certificate secret (CSC_LINK, WIN_CSC_LINK) is set: an unsigned app that updates
# itself runs whatever the feed's server serves. Linux builds cannot be signed, so the
# Linux job passes --allow-unsigned-updates: keep that server locked down, HTTPS only.
# Paths are from the repository's root: the Django project (manage.py) is in
# ${djangoDir === "." ? "the root" : `${djangoDir}/`}, its desktop shell in ${shell}/.
name: Desktop installers

on:
  workflow_dispatch:
  push:
    tags: ["v*"]

permissions:
  contents: read

jobs:
  installers:
    name: Installers (\${{ matrix.os }})
    strategy:
      fail-fast: false
      matrix:
        os: [macos-latest, windows-latest, ubuntu-latest]
    runs-on: \${{ matrix.os }}
    timeout-minutes: 45
    defaults:
      run:
        working-directory: ${shell}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 22
      - run: npm ci
      - run: npm run stage
      - run: npm run dist -- \${{ runner.os == 'Linux' && '--allow-unsigned-updates' || '' }}
        shell: bash
        env:
          DDS_UPDATE_URL: \${{ vars.DDS_UPDATE_URL }}
          CSC_LINK: \${{ runner.os == 'macOS' && secrets.CSC_LINK || '' }}
          CSC_KEY_PASSWORD: \${{ runner.os == 'macOS' && secrets.CSC_KEY_PASSWORD || '' }}
          WIN_CSC_LINK: \${{ runner.os == 'Windows' && secrets.WIN_CSC_LINK || '' }}
          WIN_CSC_KEY_PASSWORD: \${{ runner.os == 'Windows' && secrets.WIN_CSC_KEY_PASSWORD || '' }}
          APPLE_ID: \${{ secrets.APPLE_ID }}
          APPLE_APP_SPECIFIC_PASSWORD: \${{ secrets.APPLE_APP_SPECIFIC_PASSWORD }}
          APPLE_TEAM_ID: \${{ secrets.APPLE_TEAM_ID }}
      - uses: actions/upload-artifact@v4
        with:
          name: ${facts.executableName}-\${{ runner.os }}-\${{ runner.arch }}
          path: |
            ${shell}/out/*.dmg
            ${shell}/out/*.zip
            ${shell}/out/*.exe
            ${shell}/out/*.AppImage
            ${shell}/out/*.tar.gz
            ${shell}/out/*.blockmap
            ${shell}/out/latest*.yml
          if-no-files-found: error
`;
}

const TOPIC_TITLES: Record<Decision["topic"], string> = {
  login: "Login",
  cdn: "Assets from other hosts (the app must work offline)",
  frontend: "Frontend build",
  writes: "Files written at run time",
  dependencies: "Dependencies",
  python: "Python version",
  database: "Database",
  settings: "Settings",
  tests: "Tests",
  workers: "Background work",
  branding: "Name, icon and splash",
};

/** Where WRAP.md says the packaging workflow went: beside manage.py, or at the repository's root above it. */
function workflowLine(report: ProjectReport): string {
  if (report.repository === report.root) return "`.github/workflows/desktop-package.yml`";
  const up = path.relative(report.root, report.repository).split(path.sep).join("/");
  const shell = path.relative(report.repository, path.join(report.root, "desktop")).split(path.sep).join("/");
  return `\`${up}/.github/workflows/desktop-package.yml\`, at the git repository's root, where GitHub reads workflows (its jobs run in \`${shell}/\`)`;
}

/** desktop/WRAP.md: what the wrap did, each decision left to you, with where and what to do, and the optional manage.py change. */
export function wrapReport(report: ProjectReport, facts: ProjectFacts, managePySource: string): string {
  const decisions: Decision[] = [
    ...report.decisions,
    {
      topic: "branding",
      where: "desktop/src/project.ts, desktop/assets/icon.svg, desktop_runtime/templates/desktop_runtime/splash.html",
      found: `the app is named "${facts.productName}" (${facts.appId}) and still wears the starter's pony icon and splash`,
      todo: "Set productName, appId and executableName in desktop/src/project.ts, put your square SVG at desktop/assets/icon.svg and run `npm run icons` in desktop/ (after `npm install` there), and restyle the splash page (one self-contained HTML file).",
    },
  ];
  const sections = (Object.keys(TOPIC_TITLES) as Decision["topic"][])
    .map((topic) => {
      const items = decisions.filter((decision) => decision.topic === topic);
      if (!items.length) return "";
      return [`### ${TOPIC_TITLES[topic]}`, "", ...items.map((item) => `- [ ] \`${item.where}\`: ${item.found}.\n  ${item.todo}`), ""].join("\n");
    })
    .filter(Boolean);
  return `# Wrapped by desktop-django-starter (${WRAP_MARKER})

This folder is an Electron shell around the Django project one level up
(\`${report.settingsModule}\`, ${report.settingsKind}). The wrap added, and
changed none of the project's own files:

- \`desktop_runtime/\`: the runtime contract's Django app (health, bootstrap, token and host guards, \`desktop_serve\`), tested on ${testedDjango()};
- \`desktop_settings/\`: \`dev.py\` and \`packaged.py\`, which import \`${report.settingsModule}\` and override only what the desktop needs; \`test.py\` for the project's tests (\`${report.testRunner.command}\` in manage.py's folder${report.testRunner.name === "pytest" ? ", as they run under pytest" : ""}); \`writable.py\`, which moves what the settings write into the app-data folder and leaves what the app only reads (static folders, the frontend build's output);
- \`desktop/\`: this shell; every fact about the project is in \`src/project.ts\`;
- ${workflowLine(report)} and a block in \`.gitignore\` (\`desktop/build/\` stays committed).

## Next steps

1. In this folder: \`npm install\` (commit the package-lock.json it writes).
2. Work through the decisions below; tick each one.
3. \`npm run check\`: starts Django through the shell's supervisor and checks the runtime contract; repeat until every check holds.
4. \`npm run stage\`, then \`npm run check -- --staged\`: the same checks against the packaged bundle.
5. \`npm run backend\` opens the app in a browser; \`npm run dev\` in the Electron window; \`npm run dist\` builds installers.

## Decisions

Each item says where the wrap saw it. Those marked "Nothing to do" the wrap
settled itself (check them, and tick them); the others are yours to decide.

${sections.join("\n")}
${managePySection(managePySource, report.settingsModule)}`;
}
