import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findPython, PythonSetupError, venvBin } from "../scripts/python-env.ts";

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
