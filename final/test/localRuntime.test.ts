import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { localRuntimeUnavailable } from "../scripts/localRuntime";
import { devPaths } from "../src/paths";
import project from "../src/project";

describe("the offline local runtime archive", () => {
  it("follows src/project.ts's pythonVersion unless asked for another, and says which version it could not find", () => {
    expect(localRuntimeUnavailable()).toBe(localRuntimeUnavailable(project.pythonVersion));
    const missing = localRuntimeUnavailable("3.99");
    expect(missing).toMatch(process.platform === "linux" ? /no pyenv-built Python 3\.99 .*pyenv install 3\.99/ : /built from a Python on Linux/);
  });

  it.runIf(process.platform === "linux")("takes an interpreter by its path, a virtualenv's leading to its base install, and says why one will not do", () => {
    // Django's virtualenv: built on pyenv's Python here, so its base install has the shared libpython the copy needs.
    const venvPython = devPaths().python;
    const unavailable = localRuntimeUnavailable(venvPython);
    if (unavailable) expect(unavailable).toMatch(/has no shared libpython3\.\d+\.so\.1\.0 or no ensurepip wheel|is Python 3\.\d+, and the staged Django needs 3\.12/);
    else expect(unavailable).toBeUndefined();
    expect(localRuntimeUnavailable(path.join(path.sep, "nowhere", "python3"))).toMatch(/^\/nowhere\/python3 does not run as Python/);
    const debian = "/usr/bin/python3.11";
    if (existsSync(debian)) expect(localRuntimeUnavailable(debian)).toBe(`${debian} is Python 3.11, and the staged Django needs 3.12 or newer`);
  });
});
