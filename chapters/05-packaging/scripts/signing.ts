/**
 * The signing and notarization inputs a build has, read from the environment,
 * and a plain account of what electron-builder will do with them:
 *
 *   macOS signing       CSC_LINK (a .p12 file: path, https URL or base64) and CSC_KEY_PASSWORD
 *   macOS notarization  APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD and APPLE_TEAM_ID, or
 *                       APPLE_API_KEY (path to the .p8 key), APPLE_API_KEY_ID and APPLE_API_ISSUER
 *   Windows signing     WIN_CSC_LINK and WIN_CSC_KEY_PASSWORD (never CSC_LINK: that is the macOS certificate)
 *   Linux               nothing to sign: the AppImage and tar.gz are published with SHA-256 checksums
 *
 * Nothing is required: without these the build succeeds, unsigned, and says so.
 */

export const SIGNING_VARIABLES = [
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
] as const;

const APPLE_ID_SET = ["APPLE_ID", "APPLE_APP_SPECIFIC_PASSWORD", "APPLE_TEAM_ID"];
const API_KEY_SET = ["APPLE_API_KEY", "APPLE_API_KEY_ID", "APPLE_API_ISSUER"];

const isSet = (env: NodeJS.ProcessEnv, name: string) => (env[name] ?? "").trim() !== "";

/** True when one complete set of notarization credentials is in `env`. */
export function hasNotarizationCredentials(env: NodeJS.ProcessEnv): boolean {
  return [APPLE_ID_SET, API_KEY_SET].some((set) => set.every((name) => isSet(env, name)));
}

function describeNotarization(env: NodeJS.ProcessEnv, signed: boolean): string {
  for (const [set, what] of [
    [APPLE_ID_SET, "the Apple ID in APPLE_ID"],
    [API_KEY_SET, "the App Store Connect API key in APPLE_API_KEY"],
  ] as const) {
    const present = set.filter((name) => isSet(env, name));
    if (present.length > 0 && present.length < set.length) {
      const missing = set.filter((name) => !isSet(env, name));
      throw new Error(`Notarization inputs are incomplete: ${present.join(", ")} set but ${missing.join(", ")} missing. Set all of ${set.join(", ")}, or none to skip notarization.`);
    }
    if (present.length === set.length) {
      return signed
        ? `macOS notarization: on, with ${what}.`
        : "macOS notarization: skipped, because Apple only notarizes signed apps: set CSC_LINK and CSC_KEY_PASSWORD too.";
    }
  }
  return "macOS notarization: skipped (no credentials). Set APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD and APPLE_TEAM_ID (or APPLE_API_KEY, APPLE_API_KEY_ID and APPLE_API_ISSUER) to notarize.";
}

/** Each platform's build sees only its own certificate. */
function dropCertificate(env: NodeJS.ProcessEnv, ...names: string[]): void {
  for (const name of names) delete env[name];
}

/**
 * Prepares `env` for electron-builder on `platform` and returns the lines to print.
 *
 * A CI secret that is not configured arrives as an empty string, and
 * electron-builder would take an empty CSC_LINK for a certificate, so empty
 * values are removed. Without a certificate, keychain auto-discovery is turned
 * off (CSC_IDENTITY_AUTO_DISCOVERY=false) unless the caller chose otherwise: a
 * build is signed when you provide a certificate, not by accident.
 */
export function prepareSigningEnvironment(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  for (const name of SIGNING_VARIABLES) {
    if (env[name] !== undefined && !isSet(env, name)) delete env[name];
  }
  const lines: string[] = [];
  const keychainIdentity = isSet(env, "CSC_NAME") || env.CSC_IDENTITY_AUTO_DISCOVERY === "true";

  if (platform === "darwin") {
    const certificate = isSet(env, "CSC_LINK");
    if (certificate) lines.push("macOS signing: certificate from CSC_LINK.");
    else if (keychainIdentity) lines.push("macOS signing: identity from the keychain (CSC_NAME or CSC_IDENTITY_AUTO_DISCOVERY=true).");
    else lines.push("macOS signing: skipped (no CSC_LINK). Other Macs will refuse to open the app until it is signed and notarized.");
    lines.push(describeNotarization(env, certificate || keychainIdentity));
    dropCertificate(env, "WIN_CSC_LINK", "WIN_CSC_KEY_PASSWORD");
  } else if (platform === "win32") {
    // electron-builder falls back to CSC_LINK on Windows; with only the macOS
    // secrets configured it would sign the installer with the Apple .p12.
    if (isSet(env, "CSC_LINK")) lines.push("Windows signing: ignoring CSC_LINK, the macOS certificate; Windows signs with WIN_CSC_LINK only.");
    dropCertificate(env, "CSC_LINK", "CSC_KEY_PASSWORD");
    lines.push(
      isSet(env, "WIN_CSC_LINK")
        ? "Windows signing: certificate from WIN_CSC_LINK."
        : "Windows signing: skipped (no WIN_CSC_LINK). SmartScreen warns about the installer until it is signed.",
    );
  } else {
    dropCertificate(env, "CSC_LINK", "CSC_KEY_PASSWORD", "WIN_CSC_LINK", "WIN_CSC_KEY_PASSWORD");
    lines.push("Linux: nothing to sign. Publish the SHA-256 checksums next to the AppImage and tar.gz.");
  }

  const anyCertificate = ["CSC_LINK", "WIN_CSC_LINK"].some((name) => isSet(env, name));
  if (!anyCertificate && env.CSC_IDENTITY_AUTO_DISCOVERY === undefined) env.CSC_IDENTITY_AUTO_DISCOVERY = "false";
  return lines;
}
