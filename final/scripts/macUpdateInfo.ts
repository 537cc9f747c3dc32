/**
 * One `latest-mac.yml` for both Macs. Each macOS runner of the packaging
 * workflow builds for its own CPU (Apple Silicon: `…-mac-arm64.zip`, Intel:
 * `…-mac-x64.zip`) and writes a `latest-mac.yml` naming its own files only.
 * electron-updater reads one file per feed and chooses by name: an Apple
 * Silicon Mac takes the files whose name holds `arm64`, an Intel Mac the
 * others. So the release publishes one file listing both builds' files.
 */
import { parse, stringify } from "yaml";

/** The part of electron-updater's update metadata this merge reads. */
interface UpdateFile {
  url: string;
  sha512: string;
  size?: number;
}

interface UpdateInfo {
  version: string;
  files: UpdateFile[];
  path?: string;
  sha512?: string;
  releaseDate?: string;
  [key: string]: unknown;
}

export class UpdateInfoMergeError extends Error {}

function read(text: string, name: string): UpdateInfo {
  const info = parse(text) as Partial<UpdateInfo> | null;
  if (!info || typeof info.version !== "string" || !Array.isArray(info.files)) {
    throw new UpdateInfoMergeError(`${name} is not electron-builder's update metadata: it needs "version" and "files".`);
  }
  return info as UpdateInfo;
}

/**
 * Merges the `latest-mac.yml` files of several macOS builds of one version.
 * Each build must have its own file names (the artifact names hold the arch);
 * the same name with two different checksums means two builds overwrote each other.
 */
export function mergeMacUpdateInfo(sources: { name: string; text: string }[]): string {
  if (sources.length === 0) throw new UpdateInfoMergeError("No latest-mac.yml to merge.");
  const infos = sources.map((source) => read(source.text, source.name));
  const first = infos[0]!;
  const versions = new Set(infos.map((info) => info.version));
  if (versions.size > 1) {
    throw new UpdateInfoMergeError(`The macOS builds are of different versions (${[...versions].join(", ")}): build both from the same tag.`);
  }
  const files = new Map<string, UpdateFile>();
  for (const file of infos.flatMap((info) => info.files)) {
    const seen = files.get(file.url);
    if (seen && seen.sha512 !== file.sha512) {
      throw new UpdateInfoMergeError(`${file.url} appears twice with different checksums: each Mac build needs its own file names.`);
    }
    files.set(file.url, file);
  }
  const releaseDate = infos.map((info) => info.releaseDate).filter((date): date is string => typeof date === "string").sort().at(-1);
  return stringify({ ...first, files: [...files.values()], ...(releaseDate ? { releaseDate } : {}) }, { lineWidth: 0 });
}
