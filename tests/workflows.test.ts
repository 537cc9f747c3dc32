/**
 * Every GitHub Actions workflow parses, every job says where it runs and what
 * it does, every action is an official one pinned to a major version, and no
 * workflow reads a secret it has no business with. ci.yml additionally covers
 * the three operating systems, the real-Electron suites and the docs build;
 * package.yml builds for both kinds of Mac and publishes one latest-mac.yml.
 */
import { readdirSync, readFileSync } from "node:fs";
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
  "APPLE_API_KEY",
  "APPLE_API_KEY_ID",
  "APPLE_API_ISSUER",
]);

/** An official action (actions/* or github/*), optionally a sub-path, pinned to a major version tag like @v4. */
const OFFICIAL_PINNED = /^(actions|github)\/[\w.-]+(\/[\w./-]+)?@v\d+$/;

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}

interface Job {
  "runs-on"?: unknown;
  "timeout-minutes"?: unknown;
  uses?: string;
  steps?: Step[];
  strategy?: { matrix?: Record<string, unknown> };
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
});

describe(".github/workflows/package.yml", () => {
  const { workflow } = load("package.yml");
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

  it("keeps each build's files apart, then merges the two latest-mac.yml into one before the checksums", () => {
    const release = jobs.find((job) => /release:checksums/.test(runs(job)))!;
    const download = release.steps!.find((step) => step.uses?.startsWith("actions/download-artifact@"));
    expect(download?.with?.["merge-multiple"], "merged downloads would let one latest-mac.yml overwrite the other").toBeUndefined();
    const script = runs(release);
    expect(script).toMatch(/npm run release:merge-mac -w final -- release\/latest-mac\.yml artifacts\/\*\/latest-mac\.yml/);
    expect(script.indexOf("release:merge-mac")).toBeLessThan(script.indexOf("release:checksums"));
  });
});
