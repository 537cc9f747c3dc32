/**
 * The conversation behind "Help > Check for Updates…": check the feed, ask
 * before downloading, show progress, ask before restarting, and stop Django
 * before the installer replaces the app.
 *
 * Plain TypeScript: the dialogs and electron-updater come in as arguments
 * (updater.ts passes the real ones), so the order of steps is tested under Node.
 */
import project from "./project";

/** The part of electron-updater's `autoUpdater` this flow uses. */
export interface UpdateClient {
  autoDownload: boolean;
  checkForUpdates(): Promise<{ isUpdateAvailable: boolean; updateInfo: { version: string } } | null>;
  downloadUpdate(): Promise<unknown>;
  quitAndInstall(): void;
  on(event: "download-progress", listener: (progress: { percent: number }) => void): unknown;
  off(event: "download-progress", listener: (progress: { percent: number }) => void): unknown;
}

/** What the user sees. updater.ts implements these with Electron dialogs. */
export interface UpdatePrompts {
  askToDownload(version: string, currentVersion: string): Promise<boolean>;
  /** Download progress in percent; undefined when the download has ended. */
  showProgress(percent: number | undefined): void;
  askToRestart(version: string): Promise<boolean>;
  tell(message: string, detail: string): Promise<void>;
}

export interface UpdateCheckOptions {
  /** Called only in a packaged app with a feed, so development never creates an updater. */
  client: () => UpdateClient;
  prompts: UpdatePrompts;
  currentVersion: string;
  /** `app.isPackaged`: electron-updater only updates installed apps. */
  isPackaged: boolean;
  /** Whether the build has an update feed (`resources/app-update.yml`). */
  feedConfigured: boolean;
  /** Stops Django and its children, so nothing holds the files the installer replaces. */
  stopBackend: () => Promise<void>;
}

export type UpdateOutcome = "development" | "no-feed" | "failed" | "up-to-date" | "declined" | "install-on-quit" | "installing";

const MANUAL_PATH =
  "You can also update by hand: download the new installer and the release's SHA256SUMS, compare the installer's SHA-256 " +
  "against its line in SHA256SUMS (Get-FileHash in PowerShell, shasum -a 256 on macOS, sha256sum on Linux), then install it " +
  "over this version. Your data is kept.";

/** Returns the menu item's action. A click while a check is running joins that check instead of starting another. */
export function createUpdateCheck(options: UpdateCheckOptions): () => Promise<UpdateOutcome> {
  let running: Promise<UpdateOutcome> | undefined;
  return () => {
    running ??= checkForUpdates(options).finally(() => (running = undefined));
    return running;
  };
}

async function checkForUpdates(options: UpdateCheckOptions): Promise<UpdateOutcome> {
  const { prompts, currentVersion } = options;
  if (!options.isPackaged) {
    await prompts.tell(
      "Updates work in the packaged app only.",
      "In development the app runs from your checkout: pull the new code and run `npm run dev` again. " +
        "To try updates, build and install the app (`npm run dist`) and publish a newer version to its update feed.",
    );
    return "development";
  }
  if (!options.feedConfigured) {
    await prompts.tell("This build has no update feed.", `It was built without DDS_UPDATE_URL or a GitHub repository to check. ${MANUAL_PATH}`);
    return "no-feed";
  }
  const client = options.client();
  client.autoDownload = false;

  let version: string;
  try {
    const result = await client.checkForUpdates();
    if (!result?.isUpdateAvailable) {
      await prompts.tell(`${project.productName} ${currentVersion} is up to date.`, "There is no newer version in the update feed.");
      return "up-to-date";
    }
    version = result.updateInfo.version;
  } catch (error) {
    await prompts.tell("Could not check for updates.", `${(error as Error).message}\n\n${MANUAL_PATH}`);
    return "failed";
  }

  if (!(await prompts.askToDownload(version, currentVersion))) return "declined";
  const onProgress = (progress: { percent: number }) => prompts.showProgress(progress.percent);
  client.on("download-progress", onProgress);
  prompts.showProgress(0);
  const downloadError = await client.downloadUpdate().then(
    () => undefined,
    (error: Error) => error,
  );
  client.off("download-progress", onProgress);
  prompts.showProgress(undefined);
  if (downloadError) {
    await prompts.tell(`Could not download ${project.productName} ${version}.`, `${downloadError.message}\n\n${MANUAL_PATH}`);
    return "failed";
  }

  if (!(await prompts.askToRestart(version))) {
    // electron-updater installs a downloaded update when the app quits (autoInstallOnAppQuit).
    await prompts.tell(`${project.productName} ${version} will be installed when you quit.`, "Your data stays where it is.");
    return "install-on-quit";
  }
  await options.stopBackend();
  client.quitAndInstall();
  return "installing";
}
