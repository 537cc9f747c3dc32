/**
 * How electron-builder turns this chapter into an app: what goes into the asar,
 * where the staged Django backend goes, the Electron fuses, the icons, and the
 * installers for each platform.
 *
 * The backend (Python runtime, Django code, collected static files) ships as an
 * extra resource, outside the asar: Python must open those files from a real
 * folder. In the packaged app it is `<resources>/backend`, which the main process
 * finds through `process.resourcesPath` (src/backendRoot.ts).
 *
 * `npm run pack` and `npm run dist` (scripts/package.ts) call builderConfig()
 * and hand the result to electron-builder. A bare `npx electron-builder` would
 * not find this file (it looks for `electron-builder.yml`, `.json`, `.ts` and
 * the like), so build through those scripts. Nothing is computed on import: a
 * bad setting is reported by the script that asked for it, as a message.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Configuration } from "electron-builder";
import { hasNotarizationCredentials } from "./scripts/signing";
import { findRepoRoot } from "./src/paths";

export const chapterDir = __dirname;
/** This workspace as npm names it (`chapters/05-packaging`, `final`), for the commands in messages. */
export const workspace = path.relative(findRepoRoot(chapterDir), chapterDir).split(path.sep).join("/");
/** Where `npm run stage` puts the backend: `.stage/backend` at the repository root. */
export const stagedBackendDir = path.join(findRepoRoot(chapterDir), ".stage", "backend");

/**
 * The Electron version npm installed. electron-builder looks for it only in this
 * folder's node_modules, but npm workspaces install it at the repository root.
 */
export function installedElectronVersion(): string {
  const packageJson = createRequire(path.join(chapterDir, "package.json")).resolve("electron/package.json");
  return (JSON.parse(readFileSync(packageJson, "utf8")) as { version: string }).version;
}

export interface BuilderConfigOptions {
  /** The staged backend to ship; the tests pass the bundle staged for the test run. */
  backendDir?: string;
  /** Environment that decides notarization; `process.env` unless a test passes its own. */
  env?: NodeJS.ProcessEnv;
}

/** The configuration electron-builder receives from `npm run pack` and `npm run dist`. */
export function builderConfig({ backendDir = stagedBackendDir, env = process.env }: BuilderConfigOptions = {}): Configuration {
  return {
    appId: "org.desktop-django-starter.flying-stable",
    productName: "Flying Stable",
    electronVersion: installedElectronVersion(),
    copyright: "Copyright © desktop-django-starter contributors",
    // One predictable file name per platform and architecture, without spaces, for release pages and checksum lists.
    artifactName: "flying-stable-${version}-${os}-${arch}.${ext}",
    directories: { output: "out", buildResources: "build" },

    // The asar holds the compiled main process and package.json; electron-builder
    // adds the production dependencies from package.json by itself.
    files: ["dist/**/*", "package.json"],
    // The packaged package.json: Electron names the app, and its per-user data folder, after
    // productName; the Windows installer names the install folder after name.
    extraMetadata: { name: "flying-stable", productName: "Flying Stable" },
    asar: true,
    // Copied file for file, beside app.asar: <resources>/backend.
    extraResources: [{ from: backendDir, to: "backend" }],

    // Flipped in the Electron binary at package time; they cannot be changed at run time.
    electronFuses: {
      // The app binary is never a plain Node.js runtime (ELECTRON_RUN_AS_NODE=1 is ignored).
      runAsNode: false,
      // No NODE_OPTIONS or --inspect: nobody injects code into the main process from outside.
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      // Electron checks app.asar against the hash recorded at package time (macOS and Windows;
      // Linux has no such check yet and ignores this fuse).
      enableEmbeddedAsarIntegrityValidation: true,
      // Only app.asar is loaded, never a loose `app` folder placed next to it.
      onlyLoadAppFromAsar: true,
      // Chromium's cookie store (Django's session and CSRF cookies) is encrypted with the OS key store.
      enableCookieEncryption: true,
      // No page is loaded from file:// (the splash is a data: URL), so file:// pages get no privileges beyond a browser's.
      grantFileProtocolExtraPrivileges: false,
      // Flipping fuses edits the binary; an unsigned Apple Silicon build needs a fresh ad-hoc signature to start.
      resetAdHocDarwinSignature: true,
    },

    mac: {
      // The ZIP is what electron-updater downloads; the DMG is what people install from.
      target: ["dmg", "zip"],
      category: "public.app-category.productivity",
      icon: "build/icons/icon.icns",
      // Notarization requires the hardened runtime; the entitlements say what it may still do.
      hardenedRuntime: true,
      entitlements: "build/entitlements.mac.plist",
      // Every other signed executable inside the app, the Python interpreter included.
      entitlementsInherit: "build/entitlements.mac.inherit.plist",
      // electron-builder reads the Apple credentials from the environment; without them it skips this step.
      notarize: hasNotarizationCredentials(env),
    },

    win: {
      target: ["nsis", "zip"],
      icon: "build/icons/icon.ico",
    },
    nsis: {
      // Uninstalling removes the program; the user's database and logs stay in their app-data folder.
      deleteAppDataOnUninstall: false,
    },

    linux: {
      target: ["AppImage", "tar.gz"],
      // A folder of NxN.png files: electron-builder installs each size for the desktop environment.
      icon: "build/icons/png",
      category: "Office",
      executableName: "flying-stable",
      synopsis: "A Django app shipped as a desktop program",
    },
  };
}
