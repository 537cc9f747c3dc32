import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ensureVenv, findPython, PythonSetupError, venvBin } from "../scripts/python-env.ts";

/** A stand-in interpreter that reports the given version, as `python -c ...` would. */
function fakePython(version: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dds-fake-python-"));
  const file = path.join(dir, "python");
  writeFileSync(file, `#!/bin/sh\necho ${version}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** A folder holding stand-in interpreters, each reporting its version as `python -c ...` would. */
function fakeBin(programs: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dds-fake-bin-"));
  for (const [name, version] of Object.entries(programs)) {
    writeFileSync(path.join(dir, name), `#!/bin/sh\necho ${version}\n`);
    chmodSync(path.join(dir, name), 0o755);
  }
  return dir;
}

/** A home folder with pyenv-style installs: ~/.pyenv/versions/<version>/bin/python3.X. */
function fakePyenvHome(versions: string[]): string {
  const home = mkdtempSync(path.join(os.tmpdir(), "dds-fake-home-"));
  for (const version of versions) {
    const minor = version.split(".").slice(0, 2).join(".");
    const bin = path.join(home, ".pyenv", "versions", version, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, `python${minor}`), `#!/bin/sh\necho ${minor}\n`);
    chmodSync(path.join(bin, `python${minor}`), 0o755);
  }
  return home;
}

const PATH_WITH_SH = "/usr/bin:/bin";
const noHome = () => mkdtempSync(path.join(os.tmpdir(), "dds-empty-home-"));

function setupError(find: () => unknown): Error {
  try {
    find();
  } catch (caught) {
    expect(caught).toBeInstanceOf(PythonSetupError);
    return caught as Error;
  }
  throw new Error("expected a PythonSetupError");
}

describe.skipIf(process.platform === "win32")("findPython", () => {
  it("uses DDS_PYTHON when it points at Python 3.12 or newer", () => {
    const python = fakePython("3.12");
    expect(findPython({ DDS_PYTHON: python })).toEqual({ command: python, args: [], version: [3, 12] });
  });

  it("explains what to install or set when DDS_PYTHON is too old", () => {
    const error = setupError(() => findPython({ DDS_PYTHON: fakePython("3.11") }));
    expect(error.message).toMatch(/^Python 3\.12\+ is required \(Django 6 needs it\), but DDS_PYTHON points at Python 3\.11\./);
    expect(error.message).toContain("Install Python 3.13 or 3.12");
    expect(error.message).toContain("set DDS_PYTHON to the full path of a Python 3.12+ interpreter");
  });

  it("says so when DDS_PYTHON does not run", () => {
    expect(() => findPython({ DDS_PYTHON: "/nonexistent/python" })).toThrow("DDS_PYTHON=/nonexistent/python does not run");
  });

  it("prefers python3.13, then python3.12, over an older python3 on PATH", () => {
    const both = fakeBin({ "python3.13": "3.13", "python3.12": "3.12", python3: "3.11" });
    expect(findPython({ PATH: `${both}:${PATH_WITH_SH}` }, noHome())).toMatchObject({ command: "python3.13", version: [3, 13] });
    const only312 = fakeBin({ "python3.12": "3.12", python3: "3.11" });
    expect(findPython({ PATH: `${only312}:${PATH_WITH_SH}` }, noHome())).toMatchObject({ command: "python3.12", version: [3, 12] });
  });

  it("falls back to pyenv's 3.13 or 3.12 installs, which are not on PATH, newest first", () => {
    const old = fakeBin({ python3: "3.11", python: "3.11" });
    const home = fakePyenvHome(["3.11.7", "3.12.1", "3.13.0"]);
    const found = findPython({ PATH: `${old}:${PATH_WITH_SH}` }, home);
    expect(found).toEqual({ command: path.join(home, ".pyenv", "versions", "3.13.0", "bin", "python3.13"), args: [], version: [3, 13] });
  });

  it("names what it found and what to install when nothing is new enough", () => {
    const old = fakeBin({ python3: "3.11", python: "3.10" });
    const error = setupError(() => findPython({ PATH: `${old}:${PATH_WITH_SH}` }, fakePyenvHome(["3.11.7"])));
    expect(error.message).toContain("only older ones were found (python3 is Python 3.11, python is Python 3.10)");
    expect(error.message).toContain("Install Python 3.13 or 3.12 from https://www.python.org/downloads/");
    const none = setupError(() => findPython({ PATH: fakeBin({}) }, noHome()));
    expect(none.message).toContain("no `python3.13`, `python3.12`, `python3` or `python` was found on PATH");
  });

  it("finds a Python 3.12+ on this machine", () => {
    const found = findPython();
    expect(found.version[0]).toBe(3);
    expect(found.version[1]).toBeGreaterThanOrEqual(12);
  });
});

describe("venvBin", () => {
  it("points into the virtualenv's bin (Scripts on Windows) folder", () => {
    const expected = process.platform === "win32" ? path.join("v", "Scripts", "python.exe") : path.join("v", "bin", "python");
    expect(venvBin("python", "v")).toBe(expected);
  });
});

/** A project folder like django/ whose requirements install nothing, so pip needs no index. */
function emptyProject(): string {
  const project = mkdtempSync(path.join(os.tmpdir(), "dds-project-"));
  writeFileSync(path.join(project, "requirements.txt"), "# nothing\n");
  writeFileSync(path.join(project, "requirements-dev.txt"), "-r requirements.txt\n");
  return project;
}

/** An old interpreter to make an outdated virtualenv with, where this machine has one. */
const python311 = ["python3.11", "/usr/bin/python3.11", path.join(os.homedir(), ".pyenv", "versions", "3.11.7", "bin", "python3.11")].find(
  (candidate) => spawnSync(candidate, ["-c", "import venv"]).status === 0,
);

describe.skipIf(process.platform === "win32")("ensureVenv", () => {
  it("makes a half-made virtualenv (one without pip) again instead of failing on every run", () => {
    const project = emptyProject();
    const base = findPython();
    // What `python3 -m venv` leaves on Debian without python3-venv: bin/python, but no pip.
    expect(spawnSync(base.command, [...base.args, "-m", "venv", "--without-pip", path.join(project, ".venv")]).status).toBe(0);
    const lines: string[] = [];
    const python = ensureVenv((line) => lines.push(line), { project });
    expect(lines.join("\n")).toContain("has no pip (its creation stopped half-way): making it again");
    expect(spawnSync(python, ["-m", "pip", "--version"]).status).toBe(0);
    expect(readFileSync(path.join(project, ".venv", ".requirements.sha256"), "utf8")).toMatch(/^[0-9a-f]{64}$/);
    // A second run finds everything in place and does nothing.
    const again: string[] = [];
    expect(ensureVenv((line) => again.push(line), { project })).toBe(python);
    expect(again).toEqual([]);
  }, 120_000);

  it("makes another virtualenv from one requirements file (as the Django 5.2 one), and installs again when that file changes", () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), "dds-other-venv-"));
    const venv = path.join(folder, "cache", "venv-other");
    const requirements = path.join(folder, "requirements-other.txt");
    writeFileSync(requirements, "# nothing yet\n");
    const lines: string[] = [];
    const python = ensureVenv((line) => lines.push(line), { venv, requirements });
    expect(python).toBe(venvBin("python", venv));
    expect(lines[0]).toMatch(/^Creating .*venv-other with /);
    expect(lines[1]).toMatch(/^Installing .*requirements-other\.txt into .*venv-other$/);
    const again: string[] = [];
    ensureVenv((line) => again.push(line), { venv, requirements });
    expect(again).toEqual([]);
    writeFileSync(requirements, "# nothing yet, but changed\n");
    const changed: string[] = [];
    ensureVenv((line) => changed.push(line), { venv, requirements });
    expect(changed).toEqual([expect.stringMatching(/^Installing .*requirements-other\.txt into /)]);
  }, 120_000);

  it.skipIf(!python311)("makes a virtualenv of a Python older than 3.12 again with a 3.12+ one", () => {
    const project = emptyProject();
    const old = python311!;
    expect(spawnSync(old, ["-m", "venv", "--without-pip", path.join(project, ".venv")]).status).toBe(0);
    // Stamped as up to date, as a checkout from before Django 6 leaves it: only its Python version is wrong.
    const digest = createHash("sha256");
    for (const name of ["requirements.txt", "requirements-dev.txt"]) digest.update(readFileSync(path.join(project, name)));
    writeFileSync(path.join(project, ".venv", ".requirements.sha256"), digest.digest("hex"));
    const lines: string[] = [];
    const python = ensureVenv((line) => lines.push(line), { project });
    expect(lines[0]).toMatch(/\.venv runs Python 3\.11, and Django 6 needs Python 3\.12\+: making it again$/);
    expect(lines[1]).toMatch(/^Creating .*\.venv with .*python3(\.1[2-9])? \(Python 3\.1[2-9]\)$/);
    const version = spawnSync(python, ["-c", "import sys; print(sys.version_info[1])"], { encoding: "utf8" }).stdout.trim();
    expect(Number(version)).toBeGreaterThanOrEqual(12);
  }, 120_000);

  it("removes what a failed `venv` left behind and names the Debian package that is usually missing", () => {
    const project = emptyProject();
    // Reports Python 3.12, and for `-m venv <dir>` leaves <dir>/bin/python behind and fails, as Debian's venv does.
    const dir = mkdtempSync(path.join(os.tmpdir(), "dds-fake-python-"));
    const fake = path.join(dir, "python");
    writeFileSync(
      fake,
      '#!/bin/sh\nif [ "$1" = "-m" ]; then mkdir -p "$3/bin" && touch "$3/bin/python"; echo "ensurepip is not available" >&2; exit 1; fi\necho 3.12\n',
    );
    chmodSync(fake, 0o755);
    let error: unknown;
    try {
      ensureVenv(() => undefined, { project, env: { DDS_PYTHON: fake } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PythonSetupError);
    expect((error as Error).message).toContain("Creating the virtualenv failed");
    expect((error as Error).message).toContain("sudo apt install python3-venv");
    expect(existsSync(path.join(project, ".venv"))).toBe(false);
  });
});
