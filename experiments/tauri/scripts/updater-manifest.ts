/**
 * The updater's latest.json, written by the release job (package.yml, "Tauri bundles").
 *
 *   tsx scripts/updater-manifest.ts fragment <bundle folder> <out.json> --base-url <url>
 *     on each build runner: one entry per signed bundle in target/release/bundle
 *     (a file with its .sig beside it), keyed the way tauri-plugin-updater looks
 *     them up: `<os>-<arch>` and `<os>-<arch>-<installer>`.
 *   tsx scripts/updater-manifest.ts merge <latest.json> <fragment.json>... --version <v> [--notes <text>]
 *     once, after the builds: the platforms of every runner in one file.
 *
 * The signature in latest.json is the .sig file's text, as `tauri build` wrote it.
 */
import { readdirSync, readFileSync, existsSync, writeFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface PlatformEntry {
  url: string;
  signature: string;
}
export type Platforms = Record<string, PlatformEntry>;

/** Which installer an updater bundle is, from its name; undefined for files the updater cannot install. */
export function installerOf(file: string): { installer: string; os: string } | undefined {
  if (file.endsWith(".AppImage")) return { installer: "appimage", os: "linux" };
  if (file.endsWith(".deb")) return { installer: "deb", os: "linux" };
  if (file.endsWith(".app.tar.gz")) return { installer: "app", os: "darwin" };
  if (file.endsWith("-setup.exe")) return { installer: "nsis", os: "windows" };
  return undefined;
}

/** tauri-plugin-updater's names for this machine's architecture. */
export function updaterArch(arch: string = process.arch): string {
  const names: Record<string, string> = { x64: "x86_64", arm64: "aarch64", ia32: "i686", arm: "armv7" };
  const name = names[arch];
  if (!name) throw new Error(`No updater platform name for the architecture ${arch}.`);
  return name;
}

/**
 * The entries for signed bundles: `files` are names in `folder`'s subfolders
 * (appimage/, deb/, macos/, nsis/). The first bundle of an OS is also its plain
 * `<os>-<arch>` entry (the AppImage before the .deb on Linux).
 */
export function platformEntries(bundles: { file: string; signature: string }[], arch: string, baseUrl: string): Platforms {
  const platforms: Platforms = {};
  const order = ["appimage", "deb", "app", "nsis"];
  const known = bundles
    .map((bundle) => ({ ...bundle, kind: installerOf(bundle.file) }))
    .filter((bundle): bundle is typeof bundle & { kind: NonNullable<typeof bundle.kind> } => bundle.kind !== undefined)
    .sort((a, b) => order.indexOf(a.kind.installer) - order.indexOf(b.kind.installer));
  const base = baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`;
  for (const { file, signature, kind } of known) {
    const entry = { url: base + encodeURIComponent(path.basename(file)), signature: signature.trim() };
    platforms[`${kind.os}-${arch}-${kind.installer}`] = entry;
    platforms[`${kind.os}-${arch}`] ??= entry;
  }
  return platforms;
}

/** The signed bundles under target/release/bundle: each file that has a `.sig` beside it. */
export function signedBundles(bundleFolder: string): { file: string; signature: string }[] {
  if (!existsSync(bundleFolder)) return [];
  const found: { file: string; signature: string }[] = [];
  for (const sub of readdirSync(bundleFolder)) {
    const folder = path.join(bundleFolder, sub);
    if (!statSync(folder).isDirectory()) continue;
    for (const name of readdirSync(folder)) {
      if (name.endsWith(".sig") || !existsSync(path.join(folder, `${name}.sig`))) continue;
      found.push({ file: path.join(folder, name), signature: readFileSync(path.join(folder, `${name}.sig`), "utf8") });
    }
  }
  return found;
}

export function mergeManifest(fragments: Platforms[], version: string, notes: string, pubDate: Date): object {
  return { version, notes, pub_date: pubDate.toISOString().replace(/\.\d{3}Z$/, "Z"), platforms: Object.assign({}, ...fragments) };
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

function main(args: string[]): number {
  const [command, ...rest] = args;
  const positional = rest.filter((arg, index) => !arg.startsWith("--") && !rest[index - 1]?.startsWith("--"));
  if (command === "fragment" && positional.length === 2 && option(rest, "--base-url")) {
    const [folder, out] = positional as [string, string];
    const platforms = platformEntries(signedBundles(folder), updaterArch(), option(rest, "--base-url")!);
    if (Object.keys(platforms).length === 0) {
      console.log(`No signed bundles in ${folder} (no .sig files): this build has no updater entries.`);
      return 0;
    }
    writeFileSync(out, `${JSON.stringify(platforms, null, 2)}\n`);
    console.log(`${out}: ${Object.keys(platforms).join(", ")}`);
    return 0;
  }
  if (command === "merge" && positional.length >= 1 && option(rest, "--version")) {
    const [out, ...fragmentFiles] = positional as [string, ...string[]];
    if (fragmentFiles.length === 0) {
      console.log("No updater fragments (the bundles were not signed): no latest.json.");
      return 0;
    }
    const fragments = fragmentFiles.map((file) => JSON.parse(readFileSync(file, "utf8")) as Platforms);
    writeFileSync(out, `${JSON.stringify(mergeManifest(fragments, option(rest, "--version")!, option(rest, "--notes") ?? "", new Date()), null, 2)}\n`);
    console.log(`${out}: ${fragments.flatMap((fragment) => Object.keys(fragment)).join(", ")}`);
    return 0;
  }
  console.log(
    "Usage:\n  tsx scripts/updater-manifest.ts fragment <bundle folder> <out.json> --base-url <url>\n" +
      "  tsx scripts/updater-manifest.ts merge <latest.json> <fragment.json>... --version <v> [--notes <text>]",
  );
  return command === "--help" ? 0 : 2;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
