/**
 * The signing inputs: what a build does with no secrets, with empty secrets
 * (how CI passes secrets that are not configured), with complete and with
 * incomplete credentials.
 */
import { describe, expect, it } from "vitest";
import { prepareSigningEnvironment } from "../scripts/signing";

const APPLE_ID = { APPLE_ID: "dev@example.com", APPLE_APP_SPECIFIC_PASSWORD: "abcd-efgh", APPLE_TEAM_ID: "TEAM123456" };

describe("prepareSigningEnvironment", () => {
  it("builds unsigned without any input, says so, and keeps electron-builder from searching the keychain", () => {
    const env: NodeJS.ProcessEnv = {};
    const lines = prepareSigningEnvironment(env, "darwin");
    expect(lines[0]).toMatch(/^macOS signing: skipped \(no CSC_LINK\)/);
    expect(lines[1]).toMatch(/^macOS notarization: skipped \(no credentials\)\. Set APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD and APPLE_TEAM_ID/);
    expect(env.CSC_IDENTITY_AUTO_DISCOVERY).toBe("false");
  });

  it("treats secrets that arrive as empty strings as absent and removes them", () => {
    const env: NodeJS.ProcessEnv = { CSC_LINK: "", CSC_KEY_PASSWORD: "", WIN_CSC_LINK: "", APPLE_ID: " ", APPLE_TEAM_ID: "", PATH: "/bin" };
    prepareSigningEnvironment(env, "darwin");
    expect(env).toEqual({ PATH: "/bin", CSC_IDENTITY_AUTO_DISCOVERY: "false" });
  });

  it("signs and notarizes on macOS when the certificate and an Apple ID are given", () => {
    const env: NodeJS.ProcessEnv = { CSC_LINK: "cert.p12", CSC_KEY_PASSWORD: "secret", ...APPLE_ID };
    expect(prepareSigningEnvironment(env, "darwin")).toEqual([
      "macOS signing: certificate from CSC_LINK.",
      "macOS notarization: on, with the Apple ID in APPLE_ID.",
    ]);
    expect(env.CSC_IDENTITY_AUTO_DISCOVERY).toBeUndefined();
  });

  it("accepts an App Store Connect API key instead of an Apple ID", () => {
    const env: NodeJS.ProcessEnv = { CSC_LINK: "cert.p12", APPLE_API_KEY: "AuthKey.p8", APPLE_API_KEY_ID: "KEY", APPLE_API_ISSUER: "issuer" };
    expect(prepareSigningEnvironment(env, "darwin")[1]).toBe("macOS notarization: on, with the App Store Connect API key in APPLE_API_KEY.");
  });

  it("explains that notarization needs a signed app", () => {
    expect(prepareSigningEnvironment({ ...APPLE_ID }, "darwin")[1]).toMatch(/skipped, because Apple only notarizes signed apps: set CSC_LINK/);
  });

  it("refuses incomplete notarization credentials on macOS, naming what is missing", () => {
    expect(() => prepareSigningEnvironment({ CSC_LINK: "cert.p12", APPLE_ID: "dev@example.com" }, "darwin")).toThrow(
      "Notarization inputs are incomplete: APPLE_ID set but APPLE_APP_SPECIFIC_PASSWORD, APPLE_TEAM_ID missing.",
    );
  });

  it("signs on Windows with WIN_CSC_LINK only, never with the macOS certificate in CSC_LINK", () => {
    const both: NodeJS.ProcessEnv = { WIN_CSC_LINK: "cert.pfx", WIN_CSC_KEY_PASSWORD: "win", CSC_LINK: "apple.p12", CSC_KEY_PASSWORD: "mac" };
    expect(prepareSigningEnvironment(both, "win32")).toEqual([
      "Windows signing: ignoring CSC_LINK, the macOS certificate; Windows signs with WIN_CSC_LINK only.",
      "Windows signing: certificate from WIN_CSC_LINK.",
    ]);
    expect(both).toEqual({ WIN_CSC_LINK: "cert.pfx", WIN_CSC_KEY_PASSWORD: "win" });
    const macSecretsOnly: NodeJS.ProcessEnv = { CSC_LINK: "apple.p12", CSC_KEY_PASSWORD: "mac" };
    expect(prepareSigningEnvironment(macSecretsOnly, "win32")[1]).toMatch(/^Windows signing: skipped \(no WIN_CSC_LINK\)/);
    expect(macSecretsOnly).toEqual({ CSC_IDENTITY_AUTO_DISCOVERY: "false" });
    const unsigned: NodeJS.ProcessEnv = {};
    expect(prepareSigningEnvironment(unsigned, "win32")[0]).toMatch(/^Windows signing: skipped \(no WIN_CSC_LINK\)/);
    expect(unsigned.CSC_IDENTITY_AUTO_DISCOVERY).toBe("false");
  });

  it("has nothing to sign on Linux and ignores Apple credentials there", () => {
    expect(prepareSigningEnvironment({ APPLE_ID: "dev@example.com" }, "linux")).toEqual([
      "Linux: nothing to sign. Publish the SHA-256 checksums next to the AppImage and tar.gz.",
    ]);
    const certificates: NodeJS.ProcessEnv = { CSC_LINK: "apple.p12", CSC_KEY_PASSWORD: "mac", WIN_CSC_LINK: "cert.pfx", WIN_CSC_KEY_PASSWORD: "win" };
    prepareSigningEnvironment(certificates, "linux");
    expect(certificates).toEqual({ CSC_IDENTITY_AUTO_DISCOVERY: "false" });
  });

  it("keeps the Windows certificate out of the macOS build", () => {
    const env: NodeJS.ProcessEnv = { CSC_LINK: "apple.p12", CSC_KEY_PASSWORD: "mac", WIN_CSC_LINK: "cert.pfx", WIN_CSC_KEY_PASSWORD: "win" };
    prepareSigningEnvironment(env, "darwin");
    expect(env).toEqual({ CSC_LINK: "apple.p12", CSC_KEY_PASSWORD: "mac" });
  });

  it("leaves a keychain identity chosen by the caller alone", () => {
    const env: NodeJS.ProcessEnv = { CSC_NAME: "Developer ID Application: Example (TEAM123456)" };
    expect(prepareSigningEnvironment(env, "darwin")[0]).toMatch(/^macOS signing: identity from the keychain/);
    const discovery: NodeJS.ProcessEnv = { CSC_IDENTITY_AUTO_DISCOVERY: "true" };
    prepareSigningEnvironment(discovery, "darwin");
    expect(discovery.CSC_IDENTITY_AUTO_DISCOVERY).toBe("true");
  });
});
