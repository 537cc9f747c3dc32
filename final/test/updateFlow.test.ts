import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { startBackendOnFreePort } from "../src/backend";
import { devPaths } from "../src/paths";
import { createUpdateCheck, type UpdateCheckOptions, type UpdateClient, type UpdatePrompts } from "../src/updateFlow";
import { isRunning, tempDir } from "./helpers";
import project from "../src/project";

/**
 * Stands in for electron-updater's autoUpdater, which needs a packaged
 * Electron app; it records what the flow asked of it.
 */
function fakeUpdater(available: string | undefined, steps: string[], failDownload = false) {
  const events = new EventEmitter();
  const client: UpdateClient & { installed: boolean } = {
    autoDownload: true,
    installed: false,
    checkForUpdates: async () => {
      steps.push("check");
      return { isUpdateAvailable: available !== undefined, updateInfo: { version: available ?? "1.0.0" } };
    },
    downloadUpdate: async () => {
      steps.push("download");
      if (failDownload) throw new Error("net::ERR_CONNECTION_RESET");
      for (const percent of [25, 50, 100]) events.emit("download-progress", { percent });
      return [];
    },
    quitAndInstall: () => {
      steps.push("quitAndInstall");
      client.installed = true;
    },
    on: (event, listener) => events.on(event, listener),
    off: (event, listener) => events.off(event, listener),
  };
  return client;
}

function recordingPrompts(steps: string[], answers: { download?: boolean; restart?: boolean } = {}): UpdatePrompts & { told: string[] } {
  const told: string[] = [];
  return {
    told,
    askToDownload: async (version, current) => {
      steps.push(`ask download ${current} -> ${version}`);
      return answers.download ?? true;
    },
    showProgress: (percent) => steps.push(`progress ${percent ?? "done"}`),
    askToRestart: async (version) => {
      steps.push(`ask restart ${version}`);
      return answers.restart ?? true;
    },
    tell: async (message, detail) => {
      steps.push("tell");
      told.push(`${message} ${detail}`);
    },
  };
}

function options(overrides: Partial<UpdateCheckOptions> & Pick<UpdateCheckOptions, "client" | "prompts">): UpdateCheckOptions {
  return { currentVersion: "1.0.0", isPackaged: true, feedConfigured: true, stopBackend: async () => undefined, ...overrides };
}

describe("Check for Updates", () => {
  it("in development explains that updates need the packaged app, without creating an updater", async () => {
    const steps: string[] = [];
    const prompts = recordingPrompts(steps);
    const check = createUpdateCheck(options({ isPackaged: false, prompts, client: () => expect.unreachable("no updater in development") }));
    expect(await check()).toBe("development");
    expect(prompts.told[0]).toMatch(/^Updates work in the packaged app only\..*npm run dev/);
  });

  it("in a build without a feed points to the manual path", async () => {
    const steps: string[] = [];
    const prompts = recordingPrompts(steps);
    const check = createUpdateCheck(options({ feedConfigured: false, prompts, client: () => expect.unreachable("no feed to check") }));
    expect(await check()).toBe("no-feed");
    expect(prompts.told[0]).toMatch(/DDS_UPDATE_URL.*SHA256SUMS/);
  });

  it("says when the app is up to date", async () => {
    const steps: string[] = [];
    const prompts = recordingPrompts(steps);
    expect(await createUpdateCheck(options({ prompts, client: () => fakeUpdater(undefined, steps) }))()).toBe("up-to-date");
    expect(prompts.told[0]!.startsWith(`${project.productName} 1.0.0 is up to date. `)).toBe(true);
  });

  it("downloads only after asking, turns off automatic downloads, and shows progress", async () => {
    const steps: string[] = [];
    const client = fakeUpdater("1.1.0", steps);
    const outcome = await createUpdateCheck(options({ prompts: recordingPrompts(steps, { restart: false }), client: () => client }))();
    expect(outcome).toBe("install-on-quit");
    expect(client.autoDownload).toBe(false);
    expect(steps).toEqual([
      "check",
      "ask download 1.0.0 -> 1.1.0",
      "progress 0",
      "download",
      "progress 25",
      "progress 50",
      "progress 100",
      "progress done",
      "ask restart 1.1.0",
      "tell",
    ]);
    expect(client.installed).toBe(false);
  });

  it("does nothing more when the user declines the download", async () => {
    const steps: string[] = [];
    const outcome = await createUpdateCheck(options({ prompts: recordingPrompts(steps, { download: false }), client: () => fakeUpdater("1.1.0", steps) }))();
    expect(outcome).toBe("declined");
    expect(steps).toEqual(["check", "ask download 1.0.0 -> 1.1.0"]);
  });

  it("reports a failed download with the manual path and removes the progress bar", async () => {
    const steps: string[] = [];
    const prompts = recordingPrompts(steps);
    const outcome = await createUpdateCheck(options({ prompts, client: () => fakeUpdater("1.1.0", steps, true) }))();
    expect(outcome).toBe("failed");
    expect(steps.slice(-2)).toEqual(["progress done", "tell"]);
    expect(prompts.told[0]!.startsWith(`Could not download ${project.productName} 1.1.0. net::ERR_CONNECTION_RESET`)).toBe(true);
  });

  it("a second click while checking joins the running check", async () => {
    const steps: string[] = [];
    const check = createUpdateCheck(options({ prompts: recordingPrompts(steps), client: () => fakeUpdater(undefined, steps) }));
    const [first, second] = [check(), check()];
    expect(second).toBe(first);
    await first;
    expect(steps.filter((step) => step === "check")).toHaveLength(1);
  });

  it("stops the real Django and its process tree before quitAndInstall", async () => {
    const { python, managePy } = devPaths();
    const backend = await startBackendOnFreePort({
      python,
      managePy,
      env: { DJANGO_SETTINGS_MODULE: project.settings.development, DESKTOP_DJANGO_HOST: "127.0.0.1", DESKTOP_DJANGO_APP_DATA_DIR: tempDir() },
    });
    const djangoPid = backend.child.pid!;
    const steps: string[] = [];
    let djangoRunningAtInstall: boolean | undefined;
    const client = fakeUpdater("1.1.0", steps);
    const install = client.quitAndInstall;
    client.quitAndInstall = () => {
      djangoRunningAtInstall = isRunning(djangoPid);
      install();
    };
    try {
      const outcome = await createUpdateCheck(options({ prompts: recordingPrompts(steps), client: () => client, stopBackend: () => backend.stop() }))();
      expect(outcome).toBe("installing");
      expect(djangoRunningAtInstall).toBe(false);
      expect(steps.at(-1)).toBe("quitAndInstall");
    } finally {
      await backend.stop();
    }
  });
});
