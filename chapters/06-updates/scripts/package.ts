/**
 * `npm run pack` builds the unpacked app (`--dir`, quick to inspect);
 * `npm run dist` builds this machine's installers. Both check that the main
 * process is compiled and the backend is staged, say which signing and
 * notarization inputs and which update feed they found, and run electron-builder
 * with electron-builder.config.ts. The output goes to out/.
 *
 *   --electron-dist <path>   package this Electron distribution (a folder or the
 *                            release zip) instead of downloading it
 *   --allow-unsigned-updates build with an update feed although the build is not
 *                            signed (see checkUpdateSigning in updateFeed.ts)
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { build } from "electron-builder";
import { builderConfig, chapterDir, stagedBackendDir, workspace } from "../electron-builder.config";
import type { BundleManifest } from "../src/backendRoot";
import { prepareSigningEnvironment } from "./signing";
import { checkUpdateSigning, describeUpdateFeed, updateFeedFromEnvironment } from "./updateFeed";

/**
 * Throws a message saying what to run when the compiled shell or the staged
 * backend is missing, or when the backend was staged for another platform
 * (its Python runtime is a native program: each platform packages its own).
 */
export function checkPackagingInputs(
  backendDir: string = stagedBackendDir,
  appDir: string = chapterDir,
  host: { platform: string; arch: string } = process,
): void {
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
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: "boolean", default: false },
      "electron-dist": { type: "string" },
      "allow-unsigned-updates": { type: "boolean", default: false },
    },
  });
  // The feed first: a wrong DDS_UPDATE_URL is quicker to fix than a missing stage.
  const feed = updateFeedFromEnvironment();
  checkPackagingInputs();
  for (const line of prepareSigningEnvironment(process.env, process.platform)) console.log(line);
  const warnings = checkUpdateSigning(feed, process.env, process.platform, values["allow-unsigned-updates"]);
  console.log(`Update feed: ${describeUpdateFeed(feed)}.`);
  for (const line of warnings) console.warn(line);
  const electronDist = values["electron-dist"] ? path.resolve(process.env.INIT_CWD ?? process.cwd(), values["electron-dist"]) : undefined;
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
}

/** electron-builder downloads Electron and the installer tools from GitHub; say so when that is what failed. */
function explain(error: Error): string {
  if (!/ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ECONNRESET/.test(error.message)) return error.message;
  return (
    `${error.message}\n` +
    "electron-builder downloads the Electron release and its installer tools from GitHub, which this machine cannot reach.\n" +
    "Package on a connected machine (or in the packaging workflow), or pass --electron-dist <folder or zip> with a local Electron distribution for `npm run pack`."
  );
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(explain(error));
    process.exit(1);
  });
}
