/**
 * Whether `npm test` runs the experimental Tauri shell's suites here, and if
 * not, the one line that says why and how to run them.
 *
 * Linux: they run when cargo and Tauri's system packages (WebKitGTK 4.1's
 * development files, which .ci/tauri-deps.sh installs) are there. macOS and
 * Windows: only when asked, with `npm test -- tauri` or DDS_TAURI=1, because
 * the first run compiles the Tauri crate from scratch (several minutes).
 * DDS_TAURI=0 leaves them out everywhere.
 */
export interface TauriHost {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  /** The word given to `npm test -- <word>`, if any. */
  filter: string | undefined;
  hasCargo(): boolean;
  /** pkg-config finds webkit2gtk-4.1 (asked on Linux only). */
  hasWebKitGtk(): boolean;
}

/** Undefined when the Tauri suites run; otherwise why they are skipped. */
export function tauriSkipReason(host: TauriHost): string | undefined {
  if (host.env.DDS_TAURI === "0") return "DDS_TAURI=0 leaves them out";
  const asked = host.env.DDS_TAURI === "1" || Boolean(host.filter?.includes("tauri"));
  if (host.platform !== "linux" && !asked) {
    return "off Linux they run only when asked, as their first run compiles the Tauri shell for several minutes: `npm test -- tauri`, or DDS_TAURI=1 npm test";
  }
  if (!host.hasCargo()) return "cargo is not installed (https://rustup.rs)";
  if (host.platform === "linux" && !host.hasWebKitGtk()) {
    return "Tauri's Linux packages (WebKitGTK 4.1 development files) are missing: run .ci/tauri-deps.sh as root on Debian or Ubuntu";
  }
  return undefined;
}
