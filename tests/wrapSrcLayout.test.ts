/**
 * `npm run wrap` on a project shaped like LabTrack, the trial project whose
 * wrap went wrong three ways (tests/fixtures/src-layout-pytest): manage.py in
 * src/, the virtualenv and requirements at the repository's root, tests under
 * pytest-django, a manifest path setting into a static folder the frontend
 * build writes, and a log file the settings write.
 *
 * - The packaging workflow lands at the repository's root, where GitHub reads
 *   workflows, and its paths lead to src/desktop/ and the Django folder.
 * - WRAP.md's test command runs the project's pytest suite: more than 0 tests.
 * - The desktop settings leave the manifest setting where it is (build output
 *   the app only reads) and move the log file and MEDIA_ROOT to app data.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../scripts/chapters.ts";
import { venvBin } from "../scripts/python-env.ts";

const fixture = path.join(repoRoot, "tests", "fixtures", "src-layout-pytest");
const work = mkdtempSync(path.join(tmpdir(), "dds-wrap-src-"));
const checkout = path.join(work, "lab-notebook");
const target = path.join(checkout, "src");
const TEN_MINUTES = 600_000;

function run(command: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const [program, ...args] = command;
  return spawnSync(program!, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
}

const git = (cwd: string, ...args: string[]) => run(["git", "-c", "user.email=wrap@example.com", "-c", "user.name=wrap test", ...args], cwd);
const python = () => path.join(checkout, ".venv", process.platform === "win32" ? "Scripts/python.exe" : "bin/python");

beforeAll(() => {
  cpSync(fixture, checkout, { recursive: true, filter: (source) => !/[\\/](__pycache__|\.venv)$/.test(source) });
  expect(git(checkout, "init", "-q").status).toBe(0);
  git(checkout, "add", "-A");
  git(checkout, "commit", "-qm", "the project as it was");
  // What the project's developer has: a virtualenv at the repository's root with requirements/dev.txt installed.
  const base = run([venvBin("python"), "-c", "import sys; print(sys._base_executable)"], repoRoot).stdout.trim();
  expect(run([base, "-m", "venv", path.join(checkout, ".venv")], checkout).status).toBe(0);
  const installed = run([python(), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", "requirements/dev.txt"], checkout);
  expect(installed.status, installed.stderr).toBe(0);
}, TEN_MINUTES);
afterAll(() => rmSync(work, { recursive: true, force: true }), TEN_MINUTES);

describe("npm run wrap on manage.py in src/, tests under pytest (LabTrack's shape)", () => {
  let wrapped: SpawnSyncReturns<string>;
  let wrapMd = "";

  beforeAll(() => {
    wrapped = run([process.execPath, "--import", "tsx", path.join(repoRoot, "scripts", "wrap.ts"), target], repoRoot);
    wrapMd = existsSync(path.join(target, "desktop", "WRAP.md")) ? readFileSync(path.join(target, "desktop", "WRAP.md"), "utf8") : "";
  }, TEN_MINUTES);

  it("writes the packaging workflow at the repository's root, says so, and its paths resolve from there", () => {
    expect(wrapped.status, wrapped.stdout + wrapped.stderr).toBe(0);
    const workflowFile = path.join(checkout, ".github", "workflows", "desktop-package.yml");
    expect(existsSync(workflowFile)).toBe(true);
    expect(existsSync(path.join(target, ".github"))).toBe(false);
    expect(wrapped.stdout).toContain(`The packaging workflow is ${workflowFile}: GitHub reads workflows only at the repository's root`);
    expect(wrapMd).toContain("`../.github/workflows/desktop-package.yml`, at the git repository's root");

    const workflow = readFileSync(workflowFile, "utf8");
    const workingDirectory = /^\s+working-directory: (.+)$/m.exec(workflow)?.[1];
    expect(workingDirectory).toBe("src/desktop");
    const shell = path.join(checkout, workingDirectory!);
    expect(existsSync(path.join(shell, "package.json"))).toBe(true);
    // The shell finds the Django project through its facts' djangoDir, relative to the working directory.
    const djangoDir = /djangoDir: "([^"]+)"/.exec(readFileSync(path.join(shell, "src", "project.ts"), "utf8"))?.[1];
    expect(existsSync(path.join(shell, djangoDir!, "manage.py"))).toBe(true);
    const artifacts = [...workflow.matchAll(/^\s+(\S+)\/out\/\S+$/gm)].map((match) => match[1]);
    expect(artifacts.length).toBeGreaterThan(0);
    expect(new Set(artifacts)).toEqual(new Set(["src/desktop"]));
  });

  it("the workflow's Linux job accepts unsigned updates (Linux cannot sign), a Mac or Windows job does not, and its header says so", () => {
    const text = readFileSync(path.join(checkout, ".github", "workflows", "desktop-package.yml"), "utf8");
    const steps = (parse(text) as { jobs: Record<string, { steps: Array<{ run?: string; shell?: string }> }> }).jobs.installers!.steps;
    const dist = steps.find((step) => /^npm run dist\b/.test(step.run ?? ""))!;
    // PowerShell's npm shim drops the `--`; bash keeps it on every runner.
    expect(dist.shell).toBe("bash");
    const expression = /\$\{\{\s*(.+?)\s*&&\s*'--allow-unsigned-updates'\s*\|\|\s*''\s*\}\}/.exec(dist.run!)?.[1];
    expect(expression, dist.run).toBeDefined();
    const passesFlag = (os: string) => new Function("runner", `return ${expression!.replace(/==/g, "===")};`)({ os }) as boolean;
    expect(["Linux", "macOS", "Windows"].map(passesFlag)).toEqual([true, false, false]);
    const header = text.slice(0, text.indexOf("\nname:")).replace(/^# ?/gm, "").replace(/\s+/g, " ");
    expect(header).toMatch(/a macOS or Windows build stops unless its certificate secret \(CSC_LINK, WIN_CSC_LINK\) is set/);
    expect(header).toMatch(/the Linux job passes --allow-unsigned-updates/);
  });

  it("WRAP.md's test command runs the project's pytest suite on the desktop test settings: tests run, and pass", () => {
    const command = /Run the project's tests with `([^`]+)` in manage\.py's folder/.exec(wrapMd)?.[1];
    expect(command).toBe("python -m pytest --ds=desktop_settings.test");
    const desktopRequirements = run([python(), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", "desktop/requirements-desktop.txt"], target);
    expect(desktopRequirements.status, desktopRequirements.stderr).toBe(0);
    const [, ...args] = command!.split(" ");
    const tests = run([python(), ...args, "-p", "no:cacheprovider"], target);
    expect(tests.status, tests.stdout + tests.stderr).toBe(0);
    const passed = Number(/(\d+) passed/.exec(tests.stdout)?.[1] ?? 0);
    expect(passed, tests.stdout).toBe(3);
  }, TEN_MINUTES);

  it("leaves the manifest setting in the static folder, and moves the log file and MEDIA_ROOT into the app-data folder", () => {
    expect(wrapped.stdout).toMatch(/\[writes\] labbook\/settings\.py:\d+: a path into build output the app only reads, left in place: VITE_MANIFEST_PATH/);
    expect(wrapMd).toMatch(/VITE_MANIFEST_PATH points inside STATICFILES_DIRS's BASE_DIR \/ "static"/);
    const appData = path.join(work, "app-data");
    const asked = run(
      [python(), "-c", "from django.conf import settings as s; print(s.VITE_MANIFEST_PATH); print(s.LOG_FILE); print(s.MEDIA_ROOT)"],
      target,
      { DJANGO_SETTINGS_MODULE: "desktop_settings.dev", DESKTOP_DJANGO_APP_DATA_DIR: appData },
    );
    expect(asked.status, asked.stderr).toBe(0);
    const [manifest, logFile, mediaRoot] = asked.stdout.trim().split("\n");
    expect(manifest).toBe(path.join(target, "static", "dist", "manifest.json"));
    expect(logFile).toBe(path.join(appData, "logs", "labbook.log"));
    expect(mediaRoot).toBe(path.join(appData, "media"));
  });
});
