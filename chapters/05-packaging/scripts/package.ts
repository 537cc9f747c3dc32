/**
 * `npm run pack` builds the unpacked app (`--dir`, quick to inspect);
 * `npm run dist` builds this machine's installers. Both check that the main
 * process is compiled and the backend is staged, say which signing and
 * notarization inputs they found, and run electron-builder with
 * electron-builder.config.ts. The output goes to out/.
 *
 *   --electron-dist <path>   package this Electron distribution (a folder or the
 *                            release zip) instead of downloading it
 *   --allow-local-runtime    build installers around a backend staged from this
 *                            machine's own Python (see checkRuntimeToShip)
 *   --placeholder-electron   offline, Linux, with --dir only: package around a
 *                            placeholder (scripts/placeholderElectron.ts) that
 *                            carries Electron's fuse wire but cannot run, to
 *                            inspect the unpacked app's asar and fuses
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { build } from "electron-builder";
import { builderConfig, chapterDir, stagedBackendDir, workspace } from "../electron-builder.config";
import type { BundleManifest } from "../src/backendRoot";
import { placeholderElectron } from "./placeholderElectron";
import { prepareSigningEnvironment } from "./signing";

/**
 * Throws a message saying what to run when the compiled shell or the staged
 * backend is missing, or when the backend was staged for another platform
 * (its Python runtime is a native program: each platform packages its own).
 * Returns the staged backend's manifest.
 */
export function checkPackagingInputs(
  backendDir: string = stagedBackendDir,
  appDir: string = chapterDir,
  host: { platform: string; arch: string } = process,
): BundleManifest {
  const mainJs = path.join(appDir, "dist", "main.js");
  if (!existsSync(mainJs)) {
    throw new Error(`The main process is not compiled (${mainJs} is missing). Run \`npm run build -w ${workspace}\` first.`);
  }
  const manifestFile = path.join(backendDir, "manifest.json");
  if (!existsSync(manifestFile)) {
    throw new Error(
      `No staged backend in ${backendDir} (manifest.json is missing).\n` +
        `Run \`npm run stage -w ${workspace}\` first: it assembles the Python runtime, the Django code and the collected static files that the app ships.`,
    );
  }
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as BundleManifest;
  if (manifest.platform !== host.platform || manifest.arch !== host.arch) {
    throw new Error(
      `The staged backend in ${backendDir} was built for ${manifest.platform}-${manifest.arch}, but this machine packages for ${host.platform}-${host.arch}.\n` +
        `Run \`npm run stage -w ${workspace}\` on this machine, then package again.`,
    );
  }
  return manifest;
}

/**
 * A backend staged from a local archive (`--local-python`, or the archive the
 * tests build) carries this machine's own Python, linked against this
 * machine's system libraries: fine inside the unpacked app you inspect, not in
 * installers that other machines run. Returns a note for `pack`; for
 * installers, throws unless the builder says they are for this machine only.
 */
export function checkRuntimeToShip(manifest: Pick<BundleManifest, "runtime">, installers: boolean, allowLocalRuntime: boolean): string[] {
  if (manifest.runtime?.kind !== "local archive") return [];
  const why = `The staged backend's Python comes from a local archive (${manifest.runtime.name}), built from this machine's interpreter`;
  if (!installers) return [`Note: ${why}. Fine to inspect; installers for other machines need python-build-standalone's runtime.`];
  if (allowLocalRuntime) return [`Warning: ${why}; these installers are for this machine only (--allow-local-runtime).`];
  throw new Error(
    `${why}, for development and tests: installers would carry it to machines whose system libraries differ.\n` +
      `Stage python-build-standalone's runtime first: \`npm run stage -w ${workspace}\` online, or \`npm run stage -w ${workspace} -- --python-archive <a downloaded cpython-...-install_only_stripped.tar.gz>\`.\n` +
      "To build installers for this machine only, pass --allow-local-runtime.",
  );
}

const USAGE = `Usage: npm run pack -w ${workspace}   (the unpacked app, to inspect)
       npm run dist -w ${workspace}   (this machine's installers)

  --electron-dist <path>   package this Electron distribution (a folder or the release zip)
  --allow-local-runtime    with dist: accept a backend staged from this machine's own
                           Python (--local-python); the installers are for this machine only
  --placeholder-electron   with pack, on Linux, offline: package around a placeholder that
                           carries Electron's fuse wire but cannot run; shows the asar and
                           the fuses, not a working app
  --help                   print this`;

/**
 * The Electron distribution to package: the one --electron-dist names, a
 * placeholder (--placeholder-electron), or undefined to let electron-builder
 * download the release. Throws when the placeholder cannot stand in.
 */
export function electronDistFor(
  options: { dir: boolean; electronDist?: string; placeholder: boolean },
  platform: string = process.platform,
  typedFrom: string = process.env.INIT_CWD ?? process.cwd(),
): string | undefined {
  if (options.placeholder) {
    if (options.electronDist) throw new Error("Pass either --electron-dist or --placeholder-electron, not both.");
    if (!options.dir) throw new Error(`--placeholder-electron builds the unpacked app only: use it with \`npm run pack -w ${workspace}\`, not dist. An installer around a placeholder would not start.`);
    if (platform !== "linux") {
      throw new Error("--placeholder-electron stands in for Linux's Electron binary only; on macOS and Windows, pass --electron-dist with a real Electron release (or package in the packaging workflow).");
    }
    return placeholderElectron(mkdtempSync(path.join(os.tmpdir(), "dds-placeholder-electron-")));
  }
  return options.electronDist ? path.resolve(typedFrom, options.electronDist) : undefined;
}

async function main(): Promise<void> {
  if (process.argv.includes("--help")) {
    console.log(USAGE);
    return;
  }
  const { values } = parseArgs({ options: { dir: { type: "boolean", default: false }, "electron-dist": { type: "string" }, "placeholder-electron": { type: "boolean", default: false }, "allow-local-runtime": { type: "boolean", default: false } } });
  const manifest = checkPackagingInputs();
  for (const line of checkRuntimeToShip(manifest, !values.dir, values["allow-local-runtime"])) console.warn(line);
  for (const line of prepareSigningEnvironment(process.env, process.platform)) console.log(line);
  const placeholder = values["placeholder-electron"];
  const electronDist = electronDistFor({ dir: values.dir, electronDist: values["electron-dist"], placeholder });
  const outputs = await build({
    projectDir: chapterDir,
    config: { ...builderConfig(), ...(electronDist ? { electronDist } : {}) },
    dir: values.dir,
    // Publishing is a separate, deliberate step (.github/workflows/package.yml uploads the files).
    publish: "never",
  });
  const outDir = path.join(chapterDir, "out");
  const built = values.dir ? readdirSync(outDir).filter((name) => !name.startsWith("builder-")).map((name) => path.join(outDir, name)) : outputs;
  console.log(`Built:\n${built.map((file) => `  ${path.relative(chapterDir, file)}`).join("\n")}`);
  if (placeholder) {
    console.log(
      "The app holds a placeholder instead of Electron: its app.asar and fuses are real and can be inspected (see this chapter's README), " +
        "but it cannot start. Build on a connected machine or in the packaging workflow for an app that runs.",
    );
  }
}

/** electron-builder downloads Electron and the installer tools from GitHub; say so when that is what failed. */
function explain(error: Error): string {
  if (!/ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ECONNRESET/.test(error.message)) return error.message;
  return (
    `${error.message}\n` +
    "electron-builder downloads the Electron release and its installer tools from GitHub, which this machine cannot reach.\n" +
    "Package on a connected machine (or in the packaging workflow), or pass --electron-dist <folder or zip> with a local Electron distribution for `npm run pack`.\n" +
    `Offline on Linux, \`npm run pack -w ${workspace} -- --placeholder-electron\` builds the unpacked app around a placeholder: enough to inspect its asar and fuses, not to run it.`
  );
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(explain(error));
    process.exit(1);
  });
}
