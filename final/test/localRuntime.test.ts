import { describe, expect, it } from "vitest";
import { localRuntimeUnavailable } from "../scripts/localRuntime";
import project from "../src/project";

describe("the offline local runtime archive", () => {
  it("follows src/project.ts's pythonVersion unless asked for another, and says which version it could not find", () => {
    expect(localRuntimeUnavailable()).toBe(localRuntimeUnavailable(project.pythonVersion));
    const missing = localRuntimeUnavailable("3.99");
    expect(missing).toMatch(process.platform === "linux" ? /no pyenv-built Python 3\.99 / : /built from pyenv's Python on Linux/);
  });
});
