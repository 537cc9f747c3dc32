/**
 * Every GitHub Actions workflow parses, every job says where it runs and what
 * it does, every action is an official one pinned to a major version, and no
 * workflow reads a secret it has no business with. Every job's timeout is at
 * least 1.5 times the time written beside it, every `npm ... -- <flag>` runs in
 * bash (PowerShell's npm shim dropped the `--`), and every venv is made with
 * setup-python's interpreter. ci.yml additionally covers the three operating
 * systems, the real-Electron suites (staged first), the docs build, the
 * benchmark's browser, and the Tauri shell's own jobs; package.yml builds for
 * both kinds of Mac, publishes one latest-mac.yml, gathers only the Electron
 * installers, retries a macOS packaging step once, accepts unsigned updates
 * exactly where its header says, and keeps Tauri's bundles experimental.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const workflowDir = path.join(repoRoot, ".github", "workflows");

/** Secrets a workflow may read: the automatic token, and the signing and notarization inputs of electron-builder. */
const EXPECTED_SECRETS = new Set([
  "GITHUB_TOKEN",
  "CSC_LINK",
  "CSC_KEY_PASSWORD",
  "WIN_CSC_LINK",
  "WIN_CSC_KEY_PASSWORD",
  "APPLE_ID",
  "APPLE_APP_SPECIFIC_PASSWORD",
  "APPLE_TEAM_ID",
  "TAURI_SIGNING_PRIVATE_KEY",
  "TAURI_SIGNING_PRIVATE_KEY_PASSWORD",
  "APPLE_API_KEY",
  "APPLE_API_KEY_ID",
  "APPLE_API_ISSUER",
]);

/** An official action (actions/* or github/*), optionally a sub-path, pinned to a major version tag like @v4. */
const OFFICIAL_PINNED = /^(actions|github)\/[\w.-]+(\/[\w./-]+)?@v\d+$/;

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

interface Job {
  name?: string;
  "runs-on"?: unknown;
  "timeout-minutes"?: unknown;
  "continue-on-error"?: unknown;
  needs?: string | string[];
  env?: Record<string, string>;
  uses?: string;
  steps?: Step[];
  strategy?: { matrix?: Record<string, unknown> & { include?: Record<string, string>[] } };
}

interface Workflow {
  name?: string;
  on?: unknown;
  jobs?: Record<string, Job>;
}

const workflowFiles = readdirSync(workflowDir)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();

function load(name: string): { text: string; workflow: Workflow } {
  const text = readFileSync(path.join(workflowDir, name), "utf8");
  return { text, workflow: parse(text) as Workflow };
}

/** `on:` parses to the key `true` in YAML 1.1 readers; the yaml package (YAML 1.2) keeps it as "on". */
function triggers(workflow: Workflow): string[] {
  const on = workflow.on;
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.map(String);
  return on && typeof on === "object" ? Object.keys(on) : [];
}

describe.each(workflowFiles)(".github/workflows/%s", (name) => {
  const { text, workflow } = load(name);

  it("has a name, triggers and at least one job", () => {
    expect(workflow.name, "a name shown in the Actions tab").toBeTruthy();
    expect(triggers(workflow).length).toBeGreaterThan(0);
    expect(Object.keys(workflow.jobs ?? {}).length).toBeGreaterThan(0);
  });

  it("gives every job a runner and steps", () => {
    for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
      if (job.uses) continue; // a call to a reusable workflow has neither
      expect(job["runs-on"], `job ${id} needs runs-on`).toBeTruthy();
      expect(Array.isArray(job.steps) && job.steps.length > 0, `job ${id} needs steps`).toBe(true);
      for (const step of job.steps ?? []) {
        expect(Boolean(step.uses) !== Boolean(step.run), `a step of job ${id} needs exactly one of uses or run`).toBe(true);
      }
    }
  });

  it("gives every job a timeout, so a hung step (a modal dialog on a runner) cannot hold it for GitHub's 6 hours", () => {
    for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
      const minutes = job["timeout-minutes"];
      expect(typeof minutes === "number" && minutes > 0 && minutes <= 90, `job ${id} needs timeout-minutes (1-90)`).toBe(true);
    }
  });

  it("uses only official actions, pinned to a major version", () => {
    const uses = Object.values(workflow.jobs ?? {}).flatMap((job) => [
      ...(job.uses ? [job.uses] : []),
      ...(job.steps ?? []).flatMap((step) => (step.uses ? [step.uses] : [])),
    ]);
    for (const action of uses) {
      if (action.startsWith("./")) continue; // a workflow or action in this repository
      expect(action, `${action} must be actions/* or github/* pinned like @v4`).toMatch(OFFICIAL_PINNED);
    }
  });

  it("reads no secrets except the expected ones", () => {
    const secrets = [...text.matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((match) => match[1]!);
    expect(secrets.filter((secret) => !EXPECTED_SECRETS.has(secret))).toEqual([]);
    expect(text, "secrets: inherit hands every secret over").not.toMatch(/secrets:\s*inherit/);
  });

  it("writes each job's expected time beside its timeout, and the timeout is at least 1.5 times it", () => {
    const lines = text.split("\n").filter((line) => /^\s+timeout-minutes:/.test(line));
    expect(lines.length, "one timeout-minutes line per job").toBe(Object.keys(workflow.jobs ?? {}).length);
    for (const line of lines) {
      const match = /timeout-minutes: (\d+) # expected: (?:about|up to) (\d+) min/.exec(line);
      expect(match, `${line.trim()} needs "# expected: about N min" or "# expected: up to N min"`).not.toBeNull();
      expect(Number(match![1]), line.trim()).toBeGreaterThanOrEqual(1.5 * Number(match![2]));
    }
  });

  it("runs every `npm ... -- <args>` in bash, as PowerShell's npm shim has dropped the `--`", () => {
    for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
      // A job fixed to Linux or macOS runs its steps in bash already; a matrix may hold Windows.
      if (/^(ubuntu|macos)-/.test(String(job["runs-on"]))) continue;
      for (const step of job.steps ?? []) {
        if (/\bnpm (run|test)\b[^\n]* -- /.test(step.run ?? "")) expect(step.shell, `job ${id}: ${step.run}`).toBe("bash");
      }
    }
  });

  it("makes every venv with setup-python's interpreter: its python-path goes to DDS_PYTHON before npm ci", () => {
    for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
      const steps = job.steps ?? [];
      const setup = steps.findIndex((step) => step.uses?.startsWith("actions/setup-python@"));
      if (setup < 0) continue;
      const stepId = steps[setup]!.id;
      expect(stepId, `job ${id}: setup-python needs an id`).toBeTruthy();
      const handOver = steps.findIndex((step) => (step.run ?? "").includes(`echo "DDS_PYTHON=\${{ steps.${stepId}.outputs.python-path }}" >> "$GITHUB_ENV"`));
      const install = steps.findIndex((step) => /^npm ci\b/m.test(step.run ?? ""));
      expect(handOver, `job ${id}: DDS_PYTHON from setup-python's python-path`).toBeGreaterThan(setup);
      expect(handOver, `job ${id}: before npm ci, whose postinstall makes django/.venv`).toBeLessThan(install);
    }
  });
});

describe(".github/workflows/ci.yml", () => {
  const { text, workflow } = load("ci.yml");
  const jobs = Object.values(workflow.jobs ?? {});
  const runs = (job: Job) => (job.steps ?? []).map((step) => step.run ?? "").join("\n");
  const usesOf = (job: Job, action: string) => (job.steps ?? []).find((step) => step.uses?.startsWith(`${action}@`));

  it("runs on every push and pull request", () => {
    expect(triggers(workflow)).toEqual(expect.arrayContaining(["push", "pull_request"]));
  });

  it("reads no secrets at all", () => {
    expect(text).not.toMatch(/secrets\./);
  });

  it("runs npm ci and npm test on Linux, macOS and Windows with Node 22 and Python 3.12", () => {
    const matrixJob = jobs.find((job) => job.strategy?.matrix && /\bnpm test\b/.test(runs(job)));
    expect(matrixJob, "a matrix job running npm test").toBeDefined();
    expect(matrixJob!.strategy!.matrix!.os).toEqual(expect.arrayContaining(["ubuntu-latest", "macos-latest", "windows-latest"]));
    expect(runs(matrixJob!)).toMatch(/^npm ci$/m);
    expect(String(usesOf(matrixJob!, "actions/setup-node")?.with?.["node-version"])).toBe("22");
    expect(usesOf(matrixJob!, "actions/setup-node")?.with?.cache).toBe("npm");
    expect(String(usesOf(matrixJob!, "actions/setup-python")?.with?.["python-version"])).toBe("3.12");
  });

  it("runs the real-Electron suites under a virtual display on Linux", () => {
    const electronJob = jobs.find((job) => /test:electron/.test(runs(job)));
    expect(electronJob, "a job running test:electron").toBeDefined();
    expect(electronJob!["runs-on"]).toBe("ubuntu-latest");
    expect(runs(electronJob!)).toMatch(/apt-get install -y xvfb/);
    expect(runs(electronJob!)).toMatch(/npx install-electron/);
    expect(runs(electronJob!)).toMatch(/xvfb-run .*test:electron/);
  });

  it("builds the docs", () => {
    expect(jobs.some((job) => /npm run docs:build/.test(runs(job)))).toBe(true);
  });

  it("stages each workspace that has a stage before its real-Electron suite, so start:packaged runs instead of skipping", () => {
    const script = runs(jobs.find((job) => /test:electron/.test(runs(job)))!);
    expect(script).toMatch(/npm run stage -w "\$dir"/);
    expect(script.indexOf("npm run stage")).toBeLessThan(script.indexOf("test:electron"));
  });

  it("gives the benchmark a browser, so its first-paint figures are measured instead of skipped", () => {
    const bench = jobs.find((job) => /npm run bench/.test(runs(job)))!;
    const script = runs(bench);
    expect(script).toMatch(/npx playwright install (--with-deps )?chromium/);
    expect(script.indexOf("playwright install")).toBeLessThan(script.indexOf("npm run bench"));
  });

  it("leaves the Tauri suites out of the main test job, which would otherwise compile the crate uncached on every OS", () => {
    const matrixJob = jobs.find((job) => job.strategy?.matrix && /^npm test$/m.test(runs(job)))!;
    expect(matrixJob.env?.DDS_TAURI).toBe("0");
  });

  const cargoCache = (job: Job) => {
    const cache = usesOf(job, "actions/cache");
    expect(cache, "a Cargo cache").toBeDefined();
    expect(String(cache!.with?.path)).toContain("experiments/tauri/src-tauri/target/");
    expect(String(cache!.with?.path)).toContain("~/.cargo/registry/");
    expect(String(cache!.with?.key)).toContain("hashFiles('experiments/tauri/src-tauri/Cargo.lock')");
  };

  it("runs the Tauri suites with the real-window test in a Linux job of their own, after .ci/tauri-deps.sh", () => {
    const linux = jobs.find((job) => /^npm test -- tauri$/m.test(runs(job)))!;
    expect(linux, "a job running npm test -- tauri").toBeDefined();
    expect(String(linux["runs-on"])).toMatch(/^ubuntu-/);
    expect(runs(linux).indexOf(".ci/tauri-deps.sh")).toBeLessThan(runs(linux).indexOf("npm test -- tauri"));
    cargoCache(linux);
  });

  it("compiles the Tauri crate and runs its Rust tests on macOS and Windows, with a Cargo cache", () => {
    const compile = jobs.find((job) => /npm test -- "tauri: cargo test"/.test(runs(job)))!;
    expect(compile, 'a job running npm test -- "tauri: cargo test"').toBeDefined();
    expect(compile.strategy!.matrix!.os).toEqual(expect.arrayContaining(["macos-latest", "windows-latest"]));
    cargoCache(compile);
  });
});

describe(".github/workflows/package.yml", () => {
  const { text, workflow } = load("package.yml");
  const buildEnv = () => {
    const step = Object.values(workflow.jobs ?? {})
      .flatMap((job) => job.steps ?? [])
      .find((candidate) => /npm run dist -w final/.test(candidate.run ?? ""));
    return (step as { env?: Record<string, string> } | undefined)?.env ?? {};
  };

  it("hands each runner only its own platform's certificate", () => {
    const env = buildEnv();
    for (const name of ["CSC_LINK", "CSC_KEY_PASSWORD"]) {
      expect(env[name], `${name} is the macOS certificate`).toMatch(/^\$\{\{\s*runner\.os == 'macOS' && secrets\.\w+ \|\| ''\s*\}\}$/);
    }
    for (const name of ["WIN_CSC_LINK", "WIN_CSC_KEY_PASSWORD"]) {
      expect(env[name], `${name} is the Windows certificate`).toMatch(/^\$\{\{\s*runner\.os == 'Windows' && secrets\.\w+ \|\| ''\s*\}\}$/);
    }
  });

  const jobs = Object.values(workflow.jobs ?? {});
  const runs = (job: Job) => (job.steps ?? []).map((step) => step.run ?? "").join("\n");

  it("builds on an Apple Silicon and an Intel Mac, a Windows and a Linux runner, each job with a time limit", () => {
    const installers = jobs.find((job) => /npm run dist -w final/.test(runs(job)));
    expect(installers!.strategy!.matrix!.os).toEqual(["macos-latest", "macos-15-intel", "windows-latest", "ubuntu-latest"]);
    for (const job of jobs) expect(job["timeout-minutes"]).toBeGreaterThan(0);
  });

  const jobById = (id: string) => workflow.jobs![id]!;
  const uploadOf = (job: Job) => job.steps!.find((step) => step.uses?.startsWith("actions/upload-artifact@"))!;

  it("gathers the Electron installers alone: named installer-*, downloaded by that pattern, each of their jobs awaited", () => {
    const release = jobs.find((job) => /release:checksums/.test(runs(job)))!;
    const download = release.steps!.find((step) => step.uses?.startsWith("actions/download-artifact@"))!;
    expect(download.with?.pattern, "without a pattern every artifact of the run lands in the release").toBe("installer-*");
    const needs = [release.needs ?? []].flat();
    for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
      const upload = (job.steps ?? []).find((step) => step.uses?.startsWith("actions/upload-artifact@"));
      if (!upload || job === release) continue;
      const name = String(upload.with?.name);
      if (name.startsWith("installer-")) expect(needs, `the release must wait for ${id}, whose artifacts it takes`).toContain(id);
      else expect(id, `${id} uploads ${name}, which the release's pattern leaves out`).not.toBe("installers");
    }
    expect(String(uploadOf(jobById("installers")).with?.name)).toMatch(/^installer-/);
    expect(String(uploadOf(jobById("tauri-bundles")).with?.name)).not.toMatch(/^installer-/);
  });

  it("copies the installer files one by one and stops on a name two builds wrote, instead of flattening folders into the release", () => {
    const release = jobs.find((job) => /release:checksums/.test(runs(job)))!;
    const script = runs(release);
    expect(script, "find -exec cp flattens folders and lets same-named files overwrite each other").not.toMatch(/find artifacts/);
    expect(script).toMatch(/for file in artifacts\/installer-\*\/\*/);
    expect(script).toMatch(/if \[ -e "release\/\$name" \] \|\| \[ -d "\$file" \]; then/);
  });

  it("uploads only installers, updater bundles and their .sig files from the Tauri job, never the unpacked bundle folders", () => {
    const paths = String(uploadOf(jobById("tauri-bundles")).with?.path).trim().split("\n").map((line) => line.trim());
    for (const line of paths) {
      expect(line).toMatch(/^experiments\/tauri\/src-tauri\/target\/release\/bundle\/((deb|appimage|dmg|macos|nsis)\/\*\.[\w.]+|updater-\*\.json)$/);
    }
    const kinds = paths.map((line) => line.split("*")[1]).sort();
    expect(kinds).toEqual([".AppImage", ".AppImage.sig", ".app.tar.gz", ".app.tar.gz.sig", ".deb", ".deb.sig", ".dmg", ".exe", ".exe.sig", ".json"]);
  });

  it("builds Tauri's .deb and AppImage, .app/.dmg and NSIS installer, in experimental jobs that cannot block the release", () => {
    const tauri = jobById("tauri-bundles");
    expect(tauri["continue-on-error"]).toBe(true);
    const bundles = Object.fromEntries(tauri.strategy!.matrix!.include!.map((entry) => [String(entry.os).split("-")[0], entry.bundles]));
    expect(bundles).toEqual({ ubuntu: "deb,appimage", macos: "app,dmg", windows: "nsis" });
    expect(runs(tauri)).toMatch(/build --bundles \$\{\{ matrix\.bundles \}\}/);
    const manifest = jobById("tauri-updater-manifest");
    expect(manifest["continue-on-error"]).toBe(true);
    expect(manifest.needs).toBe("tauri-bundles");
    expect(jobById("release-folder").needs, "the Electron release waits for Electron's installers alone").toBe("installers");
  });

  it("signs the Tauri bundles with the key from the secrets, and says so in one line when the secret is absent", () => {
    const tauri = jobById("tauri-bundles");
    const build = tauri.steps!.find((step) => /build --bundles/.test(step.run ?? ""))! as { env?: Record<string, string>; run?: string };
    expect(build.env?.TAURI_SIGNING_PRIVATE_KEY).toBe("${{ secrets.TAURI_SIGNING_PRIVATE_KEY }}");
    expect(build.env?.TAURI_SIGNING_PRIVATE_KEY_PASSWORD).toBe("${{ secrets.TAURI_SIGNING_PRIVATE_KEY_PASSWORD }}");
    expect(build.env?.DDS_TAURI_UPDATE_URL).toBe("${{ vars.DDS_TAURI_UPDATE_URL }}");
    // createUpdaterArtifacts makes `tauri build` fail without a key: it is asked for only when the key is there.
    expect(build.run).toMatch(/\$DDS_TAURI_SIGNING$/);
    const decide = runs(tauri);
    expect(decide).toMatch(/if \[ -n "\$TAURI_SIGNING_PRIVATE_KEY" \]; then\n\s+echo "DDS_TAURI_SIGNING=--config src-tauri\/tauri\.updater\.conf\.json" >> "\$GITHUB_ENV"/);
    expect(decide).toMatch(/::notice::TAURI_SIGNING_PRIVATE_KEY is not set: the Tauri bundles are built unsigned/);
    const updaterConfig = JSON.parse(readFileSync(path.join(repoRoot, "experiments/tauri/src-tauri/tauri.updater.conf.json"), "utf8"));
    expect(updaterConfig.bundle.createUpdaterArtifacts).toBe(true);
  });

  it("writes each platform's updater entries from its .sig files, then one latest.json from them all", () => {
    expect(runs(jobById("tauri-bundles"))).toMatch(/updater-manifest\.ts fragment experiments\/tauri\/src-tauri\/target\/release\/bundle /);
    const manifest = jobById("tauri-updater-manifest");
    const download = manifest.steps!.find((step) => step.uses?.startsWith("actions/download-artifact@"));
    expect(download?.with?.pattern).toBe("experimental-tauri-*");
    expect(runs(manifest)).toMatch(/updater-manifest\.ts merge tauri-release\/latest\.json /);
    expect(String(uploadOf(manifest).with?.path)).toBe("tauri-release/");
  });

  /**
   * Whether the build step passes --allow-unsigned-updates on `os` with these secrets set. The step's expression uses
   * only runner.os, secrets.*, string literals, ==, && and || (a missing secret reads as ''), so it runs as JavaScript.
   */
  function allowsUnsigned(os: string, secrets: Record<string, string>): boolean {
    const expression = /\$\{\{\s*(.+?)\s*&&\s*'--allow-unsigned-updates'\s*\|\|\s*''\s*\}\}/.exec(runs(jobById("installers")))?.[1];
    expect(expression, "the build step passes --allow-unsigned-updates through one ${{ cond && '--allow-unsigned-updates' || '' }}").toBeDefined();
    expect(expression).toMatch(/^[\w.\s()'=&|]+$/);
    const javascript = expression!.replace(/==/g, "===").replace(/secrets\.(\w+)/g, (_, name: string) => JSON.stringify(secrets[name] ?? ""));
    return new Function("runner", `return ${javascript};`)({ os }) as boolean;
  }

  it("builds unsigned on Linux, and on a Mac or Windows runner without its certificate secret, as the header says", () => {
    const certificate = { macOS: "CSC_LINK", Windows: "WIN_CSC_LINK" } as const;
    expect(allowsUnsigned("Linux", {})).toBe(true);
    expect(allowsUnsigned("Linux", { CSC_LINK: "p12", WIN_CSC_LINK: "pfx" })).toBe(true);
    for (const [os, secret] of Object.entries(certificate)) {
      expect(allowsUnsigned(os, {}), `${os} without ${secret}`).toBe(true);
      expect(allowsUnsigned(os, { [secret]: "certificate" }), `${os} with ${secret}`).toBe(false);
    }
    // The header above `name:` must tell the same story: a run without the secrets builds, it does not stop.
    const header = text.slice(0, text.indexOf("\nname:")).replace(/^# ?/gm, "").replace(/\s+/g, " ");
    expect(header).toMatch(/passes that flag on Linux .* and on a Mac or Windows runner whose certificate secret \(CSC_LINK, WIN_CSC_LINK\) is missing/);
    expect(header).not.toMatch(/stop without/);
  });

  it("builds the installers, Electron's and Tauri's, through the script that retries once on macOS for hdiutil's \"Resource busy\"", () => {
    expect(runs(jobById("installers"))).toMatch(/^bash \.github\/scripts\/retry-on-macos\.sh npm run dist -w final -- /m);
    expect(runs(jobById("tauri-bundles"))).toMatch(/^bash \.github\/scripts\/retry-on-macos\.sh npm run tauri -w experiments\/tauri -- build /m);
  });

  it("keeps each build's files apart, then merges the two latest-mac.yml into one before the checksums", () => {
    const release = jobs.find((job) => /release:checksums/.test(runs(job)))!;
    const download = release.steps!.find((step) => step.uses?.startsWith("actions/download-artifact@"));
    expect(download?.with?.["merge-multiple"], "merged downloads would let one latest-mac.yml overwrite the other").toBeUndefined();
    const script = runs(release);
    expect(script).toMatch(/npm run release:merge-mac -w final -- release\/latest-mac\.yml artifacts\/\*\/latest-mac\.yml/);
    expect(script.indexOf("release:merge-mac")).toBeLessThan(script.indexOf("release:checksums"));
  });
});

describe.skipIf(process.platform === "win32")(".github/scripts/retry-on-macos.sh", () => {
  const script = path.join(repoRoot, ".github", "scripts", "retry-on-macos.sh");
  /** A command that fails on its first run and succeeds after; returns the exit code and how many times it ran. */
  function runFlaky(runnerOs: string): { status: number | null; runs: number } {
    const counter = path.join(mkdtempSync(path.join(os.tmpdir(), "dds-retry-")), "runs");
    writeFileSync(counter, "0");
    const flaky = `n=$(($(cat "${counter}") + 1)); echo $n > "${counter}"; [ $n -ge 2 ]`;
    const result = spawnSync("bash", [script, "sh", "-c", flaky], { env: { ...process.env, RUNNER_OS: runnerOs }, encoding: "utf8" });
    return { status: result.status, runs: Number(readFileSync(counter, "utf8").trim()) };
  }

  it("runs a failed packaging command once more on macOS", () => {
    expect(runFlaky("macOS")).toEqual({ status: 0, runs: 2 });
  });

  it("lets a failure stand on the other runners", () => {
    expect(runFlaky("Windows")).toEqual({ status: 1, runs: 1 });
    expect(runFlaky("Linux")).toEqual({ status: 1, runs: 1 });
  });
});
