import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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

describe.skipIf(process.platform === "win32")("findPython", () => {
  it("uses DDS_PYTHON when it points at Python 3.10 or newer", () => {
    const python = fakePython("3.12");
    expect(findPython({ DDS_PYTHON: python })).toEqual({ command: python, args: [], version: [3, 12] });
  });

  it("explains what to install or set when DDS_PYTHON is too old", () => {
    const error = (() => {
      try {
        findPython({ DDS_PYTHON: fakePython("3.8") });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(PythonSetupError);
    expect((error as Error).message).toMatch(/^Python 3\.10\+ is required, but DDS_PYTHON points at Python 3\.8\./);
    expect((error as Error).message).toContain("set DDS_PYTHON to the full path of a Python 3.10+ interpreter");
  });

  it("says so when DDS_PYTHON does not run", () => {
    expect(() => findPython({ DDS_PYTHON: "/nonexistent/python" })).toThrow("DDS_PYTHON=/nonexistent/python does not run");
  });

  it("finds python3 or python on PATH otherwise", () => {
    const found = findPython({});
    expect(found.version[0]).toBe(3);
    expect(found.version[1]).toBeGreaterThanOrEqual(10);
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
