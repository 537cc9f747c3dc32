/**
 * Where the backend lives, in each of the three layouts a shell runs in:
 *
 * - development: Django from the project folder, Python from its virtualenv, dev settings;
 * - staged: the bundle `npm run stage` built in .stage/backend, run exactly as a
 *   packaged app runs it (`npm run start:packaged` selects this layout);
 * - packaged: the same bundle, shipped in the app's resources folder.
 *
 * A bundle describes itself in manifest.json; this module reads it rather
 * than guessing paths, so the shell and the stage cannot disagree.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { devPaths, npmRun, projectPaths } from "./paths";
import project from "./project";

/** What `npm run stage` writes to <bundle>/manifest.json. Paths are relative to the bundle folder. */
export interface BundleManifest {
  pythonVersion: string;
  interpreter: string;
  managePy: string;
  settingsModule: string;
  staticDir: string;
  runtime: { kind: "python-build-standalone"; tag: string; asset: string; sha256: string } | { kind: "local archive"; name: string; sha256: string };
  platform: string;
  arch: string;
  /** SHA-256 over every path and file in the bundle except manifest.json (see scripts/bundle.ts). */
  digest: string;
}

export type BackendLayout = "development" | "staged" | "packaged";

export interface BackendRoot {
  layout: BackendLayout;
  python: string;
  managePy: string;
  djangoDir: string;
  settingsModule: string;
  /** Django's splash page, shown before Django serves. */
  splashFile: string;
  /** The read-only bundle folder (DESKTOP_DJANGO_BUNDLE_DIR); only for the staged and packaged layouts. */
  bundleDir?: string;
  /** Development keeps its data in the project (project.devAppData); a bundle's app data is Electron's userData folder. */
  devAppDataDir?: string;
}

/** `npm run start:packaged` sets this to "staged" for the Electron process it launches. */
export const LAYOUT_VARIABLE = "DDS_BACKEND_LAYOUT";
/** What to run when no bundle is staged. */
function stageAdvice(): string {
  return `Run \`${npmRun("stage")}\` first (add --python-archive <file> to stage offline).`;
}

export interface ResolveOptions {
  /** Electron's `app.isPackaged`. */
  isPackaged: boolean;
  /** Electron's `process.resourcesPath`; the bundle is its `backend` folder. */
  resourcesPath?: string;
  env?: NodeJS.ProcessEnv;
  /** The shell's folder, for the development and staged layouts; default: this shell's. */
  shellDir?: string;
}

function splashIn(djangoDir: string): string {
  return path.join(djangoDir, project.splash);
}

function readBundle(layout: "staged" | "packaged", bundleDir: string, whatToDo: string): BackendRoot {
  const manifestFile = path.join(bundleDir, "manifest.json");
  if (!existsSync(manifestFile)) {
    throw new Error(`The backend bundle is missing: ${manifestFile} does not exist.\n${whatToDo}`);
  }
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as BundleManifest;
  } catch (error) {
    throw new Error(`${manifestFile} is not valid JSON (${(error as Error).message}).\n${whatToDo}`);
  }
  const python = path.join(bundleDir, manifest.interpreter);
  const managePy = path.join(bundleDir, manifest.managePy);
  for (const file of [python, managePy]) {
    if (!existsSync(file)) throw new Error(`The backend bundle in ${bundleDir} is incomplete: ${file} is missing.\n${whatToDo}`);
  }
  const djangoDir = path.dirname(managePy);
  return { layout, python, managePy, djangoDir, settingsModule: manifest.settingsModule, splashFile: splashIn(djangoDir), bundleDir };
}

/** Resolves the interpreter, manage.py, settings module and bundle folder for the layout this shell runs in. */
export function resolveBackend({ isPackaged, resourcesPath, env = process.env, shellDir }: ResolveOptions): BackendRoot {
  if (isPackaged) {
    if (!resourcesPath) throw new Error("A packaged app needs process.resourcesPath to find its backend.");
    return readBundle(
      "packaged",
      path.join(resourcesPath, "backend"),
      "The app was packaged without its backend: run `npm run stage` before packaging, then package again.",
    );
  }
  if (env[LAYOUT_VARIABLE] === "staged") {
    return readBundle("staged", path.join(projectPaths(shellDir).stageDir, "backend"), stageAdvice());
  }
  const paths = devPaths(shellDir);
  return {
    layout: "development",
    python: paths.python,
    managePy: paths.managePy,
    djangoDir: paths.djangoDir,
    settingsModule: project.settings.development,
    splashFile: paths.splashFile,
    devAppDataDir: paths.appDataDir,
  };
}

/** The runtime contract's environment for this backend (the port is added by startBackend). */
export function contractEnv(root: BackendRoot, appDataDir: string, token: string): Record<string, string> {
  return {
    DJANGO_SETTINGS_MODULE: root.settingsModule,
    DESKTOP_DJANGO_HOST: "127.0.0.1",
    DESKTOP_DJANGO_APP_DATA_DIR: appDataDir,
    DESKTOP_DJANGO_AUTH_TOKEN: token,
    ...(root.bundleDir ? { DESKTOP_DJANGO_BUNDLE_DIR: root.bundleDir } : {}),
  };
}
