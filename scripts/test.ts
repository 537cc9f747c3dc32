/**
 * `npm test`: everything a clean clone can run, in one go, ending with the line
 * `N passed, N failed, N skipped` summed over every suite.
 *
 * Suites: Django's tests (and desktop_runtime's again on Django 5.2 LTS), lint,
 * type checks, the chapter consistency check, each workspace's vitest suite and
 * real-Electron suite (which skips without the Electron binary), the root tests,
 * the docs build, the browser tests, and the experimental Tauri shell: its Rust
 * unit tests, then its build and an end-to-end test in a real window under Xvfb (Linux);
 * last the experimental Positron shell: unit tests on Toga's dummy backend, then its
 * real window under Xvfb (Linux).
 * `npm test -- <word>` runs only the steps whose name contains that word.
 *
 * The browser suites (the Playwright browser tests and the Electron stand-in's
 * tests among the root tests) use the browser scripts/find-browser.ts finds,
 * named once; when there is none, `npx playwright install chromium` runs once.
 * The Tauri suites run as scripts/tauri-gate.ts decides (off Linux: when asked).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { steps, stepDir } from "./chapters.ts";
import { BrowserSetupError, describeBrowser, ensureBrowser } from "./find-browser.ts";
import { tauriSkipReason } from "./tauri-gate.ts";
import { django52Venv, ensureVenvOrExit, positronDir, positronVenv, PythonSetupError, repoRoot, venvBin } from "./python-env.ts";

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

interface Step {
  name: string;
  run: () => Promise<Counts>;
}

const resultsDir = path.join(repoRoot, ".test-results");
/** A program and the arguments that always come first, e.g. `[node, npm-cli.js]`. */
type Command = [program: string, ...leading: string[]];

/**
 * npm or npx through the Node that runs this script, found from npm's own
 * `npm_execpath`. No shell is involved, so a repository path with spaces
 * (C:\Users\Jane Doe\...) survives on Windows, where npm is a .cmd file that
 * Node only starts through cmd.exe.
 */
function npmCommand(name: "npm" | "npx"): Command {
  const npmCli = process.env.npm_execpath;
  if (npmCli && /\.c?js$/.test(npmCli)) {
    const cli = name === "npm" ? npmCli : path.join(path.dirname(npmCli), "npx-cli.js");
    if (existsSync(cli)) return [process.execPath, cli];
  }
  return [process.platform === "win32" ? `${name}.cmd` : name];
}

const npx = npmCommand("npx");
const npm = npmCommand("npm");

/** Runs a command with its output shown live; resolves with its exit code and what it printed. */
function run([program, ...leading]: Command, args: string[], cwd = repoRoot, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    // cmd.exe only for the fallback npm.cmd / npx.cmd (run outside npm, on Windows).
    const shell = process.platform === "win32" && program.endsWith(".cmd");
    const child = spawn(program, [...leading, ...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], shell });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk;
      process.stderr.write(chunk);
    });
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

/** A step that is one check: it passes when the command exits 0. */
function check(name: string, command: Command, args: string[], cwd = repoRoot): Step {
  return {
    name,
    run: async () => ((await run(command, args, cwd)).code === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0 }),
  };
}

/** Counts from `manage.py test` output ("Ran N tests", "failures=", "errors=", "skipped="). */
async function managePyTest(python: string, args: string[] = []): Promise<Counts> {
  const { code, output } = await run([python], [path.join("django", "manage.py"), "test", "--noinput", ...args]);
  return unittestCounts(code, output);
}

/** Counts from Python unittest's summary, which `manage.py test` prints too. */
function unittestCounts(code: number, output: string): Counts {
  const ran = Number(/^Ran (\d+) tests?/m.exec(output)?.[1] ?? 0);
  const number = (key: string) => Number(new RegExp(`${key}=(\\d+)`).exec(output)?.[1] ?? 0);
  const failed = number("failures") + number("errors");
  const skipped = number("skipped");
  if (code !== 0 && failed === 0) return { passed: 0, failed: Math.max(1, ran), skipped: 0 };
  return { passed: ran - failed - skipped, failed, skipped };
}

function djangoTests(): Step {
  return { name: "django: manage.py test", run: () => managePyTest(venvBin("python")) };
}

/**
 * desktop_runtime's own tests on Django 5.2 LTS, the oldest Django a wrapped
 * project may run, in a virtualenv of its own (.cache/venv-django52, made on
 * the first run). They run on a project of desktop_runtime alone; the tests
 * of the starter's demo skip there, each with its reason.
 */
function django52Tests(): Step {
  return {
    name: "django: desktop_runtime on Django 5.2 LTS",
    run: async () => {
      const started = Date.now();
      let python: string;
      try {
        python = django52Venv();
      } catch (error) {
        if (!(error instanceof PythonSetupError)) throw error;
        console.error(error.message);
        return { passed: 0, failed: 1, skipped: 0 };
      }
      const counts = await managePyTest(python, ["desktop_runtime", "--settings=desktop_runtime.tests.settings_runtime_only"]);
      console.log(`Django 5.2 step: ${((Date.now() - started) / 1000).toFixed(0)} s`);
      return counts;
    },
  };
}

function vitest(name: string, cwd: string, extraArgs: () => string[] = () => []): Step {
  const outputFile = path.join(resultsDir, `vitest-${name.replace(/\W+/g, "_")}.json`);
  return {
    name: `vitest: ${name}`,
    run: async () => {
      const { code } = await run(npx, ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile=${outputFile}`, ...extraArgs()], cwd);
      if (!existsSync(outputFile)) return { passed: 0, failed: 1, skipped: 0 };
      const report = JSON.parse(readFileSync(outputFile, "utf8")) as {
        numPassedTests: number;
        numFailedTests: number;
        numPendingTests: number;
        numTodoTests: number;
        numFailedTestSuites: number;
      };
      const failed = report.numFailedTests + (code !== 0 && report.numFailedTests === 0 ? Math.max(1, report.numFailedTestSuites) : 0);
      return { passed: report.numPassedTests, failed, skipped: report.numPendingTests + report.numTodoTests };
    },
  };
}

function playwright(name: string, cwd: string, args: string[] = []): Step {
  const outputFile = path.join(resultsDir, `playwright-${name.replace(/\W+/g, "_")}.json`);
  return {
    name: `playwright: ${name}`,
    run: async () => {
      const { code } = await run(npx, ["playwright", "test", "--reporter=list,json", ...args], cwd, { PLAYWRIGHT_JSON_OUTPUT_NAME: outputFile });
      if (!existsSync(outputFile)) return { passed: 0, failed: 1, skipped: 0 };
      const { stats } = JSON.parse(readFileSync(outputFile, "utf8")) as { stats: { expected: number; unexpected: number; skipped: number; flaky: number } };
      const failed = stats.unexpected + (code !== 0 && stats.unexpected === 0 ? 1 : 0);
      return { passed: stats.expected + stats.flaky, failed, skipped: stats.skipped };
    },
  };
}

const tauriDir = path.join(repoRoot, "experiments", "tauri");
// Cargo's build output stays in the work tree, whatever the user's CARGO_TARGET_DIR says.
const tauriEnv = { CARGO_TARGET_DIR: path.join(tauriDir, "src-tauri", "target") };

let tauriDecision: { reason: string | undefined } | undefined;

/**
 * Why the Tauri suites do not run here, or undefined when they do. Decided once;
 * a skip is said in one line for both steps.
 */
function tauriMissing(): string | undefined {
  if (tauriDecision) return tauriDecision.reason;
  const reason = tauriSkipReason({
    platform: process.platform,
    env: process.env,
    filter: process.argv[2],
    hasCargo: () => spawnSync("cargo", ["--version"]).status === 0,
    hasWebKitGtk: () => spawnSync("pkg-config", ["--exists", "webkit2gtk-4.1"]).status === 0,
  });
  if (reason) console.log(`Skipping the experimental Tauri suites: ${reason}.`);
  tauriDecision = { reason };
  return reason;
}

const ONE_SKIPPED: Counts = { passed: 0, failed: 0, skipped: 1 };

function skipped(name: string, reason: string): Counts {
  console.log(`Skipping ${name}: ${reason}.`);
  return ONE_SKIPPED;
}

let browser: { problem?: string } | undefined;

/** The browser suites' browser: found (or fetched once) and named on first use; the problem in one line when there is none. */
function browserProblem(): string | undefined {
  if (!browser) {
    try {
      const found = ensureBrowser(() => spawnSync(npx[0], [...npx.slice(1), "playwright", "install", "chromium"], { stdio: "inherit", shell: process.platform === "win32" && npx[0].endsWith(".cmd") }).status === 0);
      console.log(describeBrowser(found));
      // Every later step (the check's --browser tests among them) uses the same browser.
      process.env.DDS_CHROMIUM ??= found.executablePath;
      browser = {};
    } catch (error) {
      if (!(error instanceof BrowserSetupError)) throw error;
      console.error(error.message);
      browser = { problem: error.message };
    }
  }
  return browser.problem;
}

/** A browser suite: fails in one line, without running, when there is no browser. */
function needsBrowser(step: Step): Step {
  return { name: step.name, run: async () => (browserProblem() ? { passed: 0, failed: 1, skipped: 0 } : step.run()) };
}

/**
 * `cargo test`, counted from its "test result:" lines (one per test binary). With the
 * feature `tauri build` turns on, so the e2e step's build reuses what this one compiled.
 * The updater's tests (src/updates.rs) are a step of their own, named for what they check.
 */
function cargoTest(name: string, testArgs: string[]): Step {
  return {
    name,
    run: async () => {
      if (tauriMissing()) return ONE_SKIPPED;
      const manifest = path.join(tauriDir, "src-tauri", "Cargo.toml");
      const { code, output } = await run(["cargo"], ["test", "--manifest-path", manifest, "--features", "custom-protocol", "--", ...testArgs], repoRoot, tauriEnv);
      const counts = { passed: 0, failed: 0, skipped: 0 };
      for (const [, passed, failed, ignored] of output.matchAll(/^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/gm)) {
        counts.passed += Number(passed);
        counts.failed += Number(failed);
        counts.skipped += Number(ignored);
      }
      if (code !== 0 && counts.failed === 0) counts.failed = 1;
      return counts;
    },
  };
}

/** Builds the shell (debug, no installer) and drives its real window through WebDriver. */
function tauriEndToEnd(): Step {
  const name = "tauri: e2e in a real window";
  return {
    name,
    run: async () => {
      if (tauriMissing()) return ONE_SKIPPED;
      if (process.platform !== "linux") return skipped(name, "tauri-driver drives WebKitGTK on Linux only");
      const started = Date.now();
      const built = await run(npm, ["run", "build"], tauriDir, tauriEnv);
      console.log(`Tauri build: ${((Date.now() - started) / 1000).toFixed(0)} s`);
      return built.code === 0 ? vitest("tauri e2e", tauriDir).run() : { passed: 0, failed: 1, skipped: 0 };
    },
  };
}

/**
 * The root tests. The Electron stand-in's tests among them need a browser: without
 * one they are left out and count as one failure, said in one line.
 */
function rootTests(): Step {
  const tests = vitest("root tests", repoRoot, () => (browserProblem() ? ["--exclude", "tests/standin/**"] : []));
  return {
    name: tests.name,
    run: async () => {
      const counts = await tests.run();
      return browserProblem() ? { ...counts, failed: counts.failed + 1 } : counts;
    },
  };
}

/** Why experiments/positron/.venv cannot be made here (PyGObject builds from source on Linux), or undefined. */
function positronMissing(): string | undefined {
  if (process.platform === "linux" && spawnSync("pkg-config", ["--exists", "gobject-introspection-1.0", "cairo"]).status !== 0) {
    return "PyGObject's build headers are missing: run .ci/positron-deps.sh";
  }
  return undefined;
}

/**
 * The experimental Positron shell (Toga, Django in-process): its unit tests on
 * Toga's dummy backend, then the real window under Xvfb (Linux), both with
 * Python's unittest in experiments/positron/.venv.
 */
function positronSteps(): Step[] {
  const suite = (name: string, args: string[], env: NodeJS.ProcessEnv = {}, needsScreen = false): Step => ({
    name,
    run: async () => {
      // Toga's dummy backend runs anywhere, but these suites have only ever run on Linux so far.
      if (process.platform !== "linux") return skipped(name, "the Positron suites run on Linux only so far");
      const missing = positronMissing() ?? (needsScreen && spawnSync("xvfb-run", ["--help"]).error ? "xvfb-run is missing: run .ci/positron-deps.sh" : undefined);
      if (missing) return skipped(name, missing);
      let python: string;
      try {
        python = positronVenv();
      } catch (error) {
        if (!(error instanceof PythonSetupError)) throw error;
        console.error(error.message);
        return { passed: 0, failed: 1, skipped: 0 };
      }
      const started = Date.now();
      const { code, output } = await run([python], ["-W", "ignore::ResourceWarning", "-m", "unittest", ...args], positronDir, env);
      console.log(`${name}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
      return unittestCounts(code, output);
    },
  });
  return [
    suite("positron: unit (Toga dummy backend)", ["discover", "-v", "-s", "tests", "-t", "."], { TOGA_BACKEND: "toga_dummy" }),
    suite("positron: e2e in a real window", ["-v", "tests.e2e_window"], {}, true),
  ];
}

function plan(): Step[] {
  const workspaces = steps().map((step) => ({ name: step, dir: stepDir(step) }));
  return [
    djangoTests(),
    django52Tests(),
    check("lint: eslint + ruff", npm, ["run", "lint"]),
    check("typecheck: root and every workspace", npm, ["run", "typecheck"]),
    check("chapters: consistency", npm, ["run", "check:chapters"]),
    ...workspaces.map(({ name, dir }) => vitest(name, dir)),
    ...workspaces.map(({ name, dir }) => ({
      name: `electron: ${name}`,
      run: async () => {
        const built = await run(npm, ["run", "build"], dir);
        return built.code === 0 ? playwright(`electron ${name}`, dir).run() : { passed: 0, failed: 1, skipped: 0 };
      },
    })),
    rootTests(),
    check("docs: build (dead links fail)", npm, ["run", "docs:build"]),
    needsBrowser(playwright("browser", repoRoot)),
    cargoTest("tauri: cargo test", ["--skip", "updates::"]),
    cargoTest("tauri: updater (signed latest.json from a loopback server)", ["updates::"]),
    tauriEndToEnd(),
    ...positronSteps(),
  ];
}

async function main(): Promise<void> {
  if (process.argv.includes("--help")) {
    console.log(
      "Usage: npm test [-- <word>]\n\n" +
        "Runs every suite a clean clone can run and ends with `N passed, N failed, N skipped`.\n" +
        "With a word, only the steps whose name contains it, e.g. `npm test -- 04-bundled` or `npm test -- docs`.\n\n" +
        `The steps:\n${plan()
          .map((step) => `  ${step.name}`)
          .join("\n")}`,
    );
    process.exit(0);
  }
  ensureVenvOrExit();
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  const filter = process.argv[2];
  const all = plan();
  const selected = all.filter((step) => !filter || step.name.includes(filter));
  if (!selected.length) {
    console.error(`No test step's name contains "${filter}". The steps:\n${all.map((step) => `  ${step.name}`).join("\n")}`);
    process.exit(1);
  }
  // Found before the first suite that can use it (final's check runs --browser), so all of them use the same one.
  if (selected.some((step) => /^(vitest|playwright): /.test(step.name))) browserProblem();
  const results: [string, Counts][] = [];
  for (const step of selected) {
    console.log(`\n=== ${step.name}`);
    results.push([step.name, await step.run()]);
  }
  const total = results.reduce((sum, [, c]) => ({ passed: sum.passed + c.passed, failed: sum.failed + c.failed, skipped: sum.skipped + c.skipped }), {
    passed: 0,
    failed: 0,
    skipped: 0,
  });
  console.log("\nSummary");
  for (const [name, c] of results) {
    console.log(`  ${c.failed ? "FAIL" : "ok  "}  ${name}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  }
  console.log(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  process.exit(total.failed ? 1 : 0);
}

await main();
