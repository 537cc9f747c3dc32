/**
 * scripts/tauri-gate.ts: when `npm test` runs the experimental Tauri suites.
 * Linux with Tauri's packages: always. macOS and Windows: only when asked.
 */
import { describe, expect, it } from "vitest";
import { tauriSkipReason, type TauriHost } from "../scripts/tauri-gate.ts";

function host(platform: NodeJS.Platform, options: Partial<Omit<TauriHost, "platform">> = {}): TauriHost {
  return { platform, env: {}, filter: undefined, hasCargo: () => true, hasWebKitGtk: () => true, ...options };
}

describe("tauriSkipReason", () => {
  it("runs them in a plain `npm test` on Linux when cargo and WebKitGTK are installed", () => {
    expect(tauriSkipReason(host("linux"))).toBeUndefined();
  });

  it("skips them on Linux without Tauri's packages, pointing at .ci/tauri-deps.sh", () => {
    expect(tauriSkipReason(host("linux", { hasWebKitGtk: () => false }))).toMatch(/run \.ci\/tauri-deps\.sh/);
    expect(tauriSkipReason(host("linux", { hasCargo: () => false }))).toMatch(/cargo is not installed/);
  });

  it.each(["darwin", "win32"] as const)("leaves them out of a plain `npm test` on %s, even with Rust installed, and says how to run them", (platform) => {
    const reason = tauriSkipReason(host(platform));
    expect(reason).toMatch(/only when asked/);
    expect(reason).toContain("`npm test -- tauri`");
    expect(reason).toContain("DDS_TAURI=1");
  });

  it.each(["darwin", "win32"] as const)("runs them on %s when asked by the step filter or DDS_TAURI=1", (platform) => {
    expect(tauriSkipReason(host(platform, { filter: "tauri" }))).toBeUndefined();
    expect(tauriSkipReason(host(platform, { filter: "tauri: cargo test" }))).toBeUndefined();
    expect(tauriSkipReason(host(platform, { env: { DDS_TAURI: "1" } }))).toBeUndefined();
    expect(tauriSkipReason(host(platform, { filter: "tauri", hasCargo: () => false }))).toMatch(/cargo is not installed/);
  });

  it("does not ask for WebKitGTK off Linux", () => {
    expect(tauriSkipReason(host("darwin", { filter: "tauri", hasWebKitGtk: () => false }))).toBeUndefined();
  });

  it("DDS_TAURI=0 leaves them out everywhere", () => {
    expect(tauriSkipReason(host("linux", { env: { DDS_TAURI: "0" } }))).toMatch(/DDS_TAURI=0/);
  });
});
