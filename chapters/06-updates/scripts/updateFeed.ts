/**
 * Where the packaged app looks for updates: the update feed, chosen when the
 * app is built, never at run time.
 *
 * The builder configuration puts the feed in electron-builder's `publish`
 * option. electron-builder then writes it into the app as
 * `resources/app-update.yml` and publishes the update metadata
 * (`latest.yml`, `latest-mac.yml`, `latest-linux.yml`) beside the installers;
 * electron-updater in the running app reads the first to find the second.
 *
 * - `DDS_UPDATE_URL=https://updates.example.com/flying-stable/`: a generic
 *   HTTPS folder you host; electron-updater reads `<url>/latest*.yml` and
 *   downloads the installer named there from the same folder.
 * - Otherwise the GitHub releases of `DDS_UPDATE_GITHUB_REPOSITORY`
 *   (`owner/repo`), or of `GITHUB_REPOSITORY`, which GitHub Actions sets to
 *   the repository being built: the default for the packaging workflow.
 * - Neither set (a local build): no feed; that build updates by hand only.
 */
export const UPDATE_URL_VARIABLE = "DDS_UPDATE_URL";
export const UPDATE_REPOSITORY_VARIABLE = "DDS_UPDATE_GITHUB_REPOSITORY";

/** electron-builder's GitHub publish options, the part this app sets. */
export interface GithubFeed {
  provider: "github";
  owner: string;
  repo: string;
}

/** electron-builder's generic-server publish options, the part this app sets. */
export interface GenericFeed {
  provider: "generic";
  url: string;
}

export type UpdateFeed = GithubFeed | GenericFeed;

/** A build-time setting that would make a broken or unsafe feed; the message says how to fix it. */
export class UpdateFeedError extends Error {
  override name = "UpdateFeedError";
}

/** The feed for a build, from the builder's environment; undefined means "manual updates only". */
export function updateFeedFromEnvironment(env: NodeJS.ProcessEnv = process.env): UpdateFeed | undefined {
  const url = env[UPDATE_URL_VARIABLE]?.trim();
  const repository = env[UPDATE_REPOSITORY_VARIABLE]?.trim();
  if (url && repository) {
    throw new UpdateFeedError(
      `Both ${UPDATE_URL_VARIABLE} and ${UPDATE_REPOSITORY_VARIABLE} are set: an app has one update feed. Unset the one you do not want.`,
    );
  }
  if (url) return genericFeed(url);
  const fromActions = env.GITHUB_REPOSITORY?.trim();
  if (repository || fromActions) return githubFeed((repository || fromActions)!);
  return undefined;
}

/** A generic feed: an HTTPS folder that will hold the installers and their latest*.yml metadata. */
export function genericFeed(url: string): GenericFeed {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UpdateFeedError(
      `${UPDATE_URL_VARIABLE}=${url} is not a URL. Set it to the HTTPS folder that will hold the installers and latest*.yml, ` +
        "such as https://updates.example.com/flying-stable/.",
    );
  }
  if (parsed.protocol !== "https:") {
    throw new UpdateFeedError(
      `${UPDATE_URL_VARIABLE}=${url} does not use https: anyone between the app and an HTTP server could hand it a different installer. ` +
        "Serve the update folder over HTTPS and use its https:// URL.",
    );
  }
  if (parsed.username || parsed.password) {
    throw new UpdateFeedError(
      `${UPDATE_URL_VARIABLE} contains a user name or password, which would ship inside every installer. ` +
        "Use a folder that can be read without credentials.",
    );
  }
  // electron-updater resolves latest*.yml relative to the URL: without the final slash, the last path part would be dropped.
  if (!parsed.pathname.endsWith("/")) parsed.pathname += "/";
  return { provider: "generic", url: parsed.href };
}

/** A GitHub feed: the releases of `owner/repo`. */
export function githubFeed(repository: string): GithubFeed {
  const match = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(repository);
  if (!match) {
    throw new UpdateFeedError(
      `"${repository}" is not a GitHub repository: set ${UPDATE_REPOSITORY_VARIABLE} to owner/repo, such as octo-org/flying-stable.`,
    );
  }
  return { provider: "github", owner: match[1]!, repo: match[2]! };
}

/** One line for build logs and dialogs. */
export function describeUpdateFeed(feed: UpdateFeed | undefined): string {
  if (!feed) {
    return `no update feed: this build updates by hand only (set ${UPDATE_URL_VARIABLE} or ${UPDATE_REPOSITORY_VARIABLE} when building)`;
  }
  if (feed.provider === "github") return `the GitHub releases of ${feed.owner}/${feed.repo}`;
  return `the update folder ${feed.url}`;
}

export const ALLOW_UNSIGNED_UPDATES_FLAG = "--allow-unsigned-updates";

/** Whether this build's installers will carry a signature the operating system checks (see scripts/signing.ts). */
function signedBuild(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): boolean {
  const isSet = (name: string) => (env[name] ?? "").trim() !== "";
  if (platform === "darwin") return isSet("CSC_LINK") || isSet("CSC_NAME") || env.CSC_IDENTITY_AUTO_DISCOVERY === "true";
  if (platform === "win32") return isSet("WIN_CSC_LINK") || isSet("CSC_LINK");
  return false;
}

/**
 * An app with an update feed installs whatever the feed offers. electron-updater
 * checks the download against a sha512 that the same feed serves, so without a
 * code signature (checked by macOS, and by Windows for signed builds only) the
 * update is exactly as trustworthy as the feed's server. Linux AppImages have
 * no signature at all. A build with a feed therefore needs signing inputs, or
 * the explicit `--allow-unsigned-updates`; the lines returned say why that is risky.
 */
export function checkUpdateSigning(feed: UpdateFeed | undefined, env: NodeJS.ProcessEnv, platform: NodeJS.Platform, allowUnsigned: boolean): string[] {
  if (!feed || signedBuild(env, platform)) return [];
  const what = platform === "linux" ? "Linux builds cannot be signed" : "this build is not signed";
  if (!allowUnsigned) {
    throw new UpdateFeedError(
      `This build has an update feed (${describeUpdateFeed(feed)}) but ${what}: whoever controls the feed's server could make every installed ` +
        `copy run their code, because the update's checksum comes from the same server. Set the signing inputs (CSC_LINK on macOS, ` +
        `WIN_CSC_LINK on Windows), build without a feed, or pass ${ALLOW_UNSIGNED_UPDATES_FLAG} if you accept that risk.`,
    );
  }
  return [
    `Warning: ${ALLOW_UNSIGNED_UPDATES_FLAG}: ${what}, so its updates are only as trustworthy as ${describeUpdateFeed(feed)}. ` +
      "Anyone who can change the files there can make every installed copy run their code: keep that server locked down and serve it over HTTPS only.",
  ];
}
