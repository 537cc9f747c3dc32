/**
 * The python-build-standalone archive the stage downloads for each platform,
 * computed by the same releaseAsset() the stage uses, so the chapter 04 page
 * and the troubleshooting page name the pinned files without copying them.
 */
import { PYTHON_RELEASE, releaseAsset, SUPPORTED_TARGETS } from "../../../final/scripts/pythonRelease.ts";

export interface RuntimeArchive {
  /** Node's `process.platform-process.arch`, e.g. `darwin-arm64`. */
  target: string;
  name: string;
  url: string;
}

export interface RuntimeArchives {
  tag: string;
  pythonVersion: string;
  checksumsUrl: string;
  archives: RuntimeArchive[];
}

declare const data: RuntimeArchives;
export { data };

export default {
  load(): RuntimeArchives {
    const archives = SUPPORTED_TARGETS.map((target) => {
      const [platform, arch] = target.split("-") as [string, string];
      const asset = releaseAsset(platform, arch);
      return { target, name: asset.name, url: asset.url };
    });
    return {
      tag: PYTHON_RELEASE.tag,
      pythonVersion: PYTHON_RELEASE.pythonVersion,
      checksumsUrl: releaseAsset("linux", "x64").checksumsUrl,
      archives,
    };
  },
};
