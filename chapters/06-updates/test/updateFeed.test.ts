import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { request, createServer, type ClientRequest, type IncomingMessage, type RequestOptions } from "node:http";
import type { AddressInfo } from "node:net";
import { HttpExecutor } from "builder-util-runtime";
import type { AppUpdater } from "electron-updater";
import { createClient } from "electron-updater/out/providerFactory";
import type { ProviderPlatform, ProviderRuntimeOptions } from "electron-updater/out/providers/Provider";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { builderConfig, chapterDir } from "../electron-builder.config";
import { checkUpdateSigning, describeUpdateFeed, genericFeed, githubFeed, updateFeedFromEnvironment, type UpdateFeed } from "../scripts/updateFeed";

describe("updateFeedFromEnvironment", () => {
  it("uses the GitHub releases of the repository GitHub Actions builds by default", () => {
    expect(updateFeedFromEnvironment({ GITHUB_REPOSITORY: "octo-org/flying-stable" })).toEqual({
      provider: "github",
      owner: "octo-org",
      repo: "flying-stable",
    });
  });

  it("lets DDS_UPDATE_GITHUB_REPOSITORY name another repository", () => {
    const feed = updateFeedFromEnvironment({ GITHUB_REPOSITORY: "fork/flying-stable", DDS_UPDATE_GITHUB_REPOSITORY: "octo-org/stable.app" });
    expect(feed).toEqual({ provider: "github", owner: "octo-org", repo: "stable.app" });
  });

  it("uses a generic HTTPS folder when DDS_UPDATE_URL is set, even inside GitHub Actions", () => {
    const feed = updateFeedFromEnvironment({ GITHUB_REPOSITORY: "octo-org/flying-stable", DDS_UPDATE_URL: "https://updates.example.com/stable" });
    expect(feed).toEqual({ provider: "generic", url: "https://updates.example.com/stable/" });
  });

  it("gives a local build without either variable no feed", () => {
    expect(updateFeedFromEnvironment({})).toBeUndefined();
    expect(describeUpdateFeed(undefined)).toMatch(/updates by hand only \(set DDS_UPDATE_URL/);
  });

  it("refuses two feeds at once", () => {
    expect(() => updateFeedFromEnvironment({ DDS_UPDATE_URL: "https://a.example/", DDS_UPDATE_GITHUB_REPOSITORY: "o/r" })).toThrow(
      /Both DDS_UPDATE_URL and DDS_UPDATE_GITHUB_REPOSITORY are set/,
    );
  });
});

describe("the builder configuration", () => {
  it("publishes to the feed its environment chooses, or nowhere", () => {
    expect(builderConfig({ env: { GITHUB_REPOSITORY: "octo-org/flying-stable" } }).publish).toEqual({
      provider: "github",
      owner: "octo-org",
      repo: "flying-stable",
    });
    expect(builderConfig({ env: { DDS_UPDATE_URL: "https://updates.example.com/stable/" } }).publish).toEqual({
      provider: "generic",
      url: "https://updates.example.com/stable/",
    });
    expect(builderConfig({ env: {} }).publish).toBeNull();
  });

  it("stops the build on an update URL that is not https", () => {
    expect(() => builderConfig({ env: { DDS_UPDATE_URL: "http://updates.example.com/" } })).toThrow(/does not use https/);
  });
});

describe("checkUpdateSigning", () => {
  const feed = githubFeed("octo-org/flying-stable");

  it("refuses a feed for an unsigned build on every platform, and says what to do", () => {
    for (const platform of ["darwin", "win32", "linux"] as const) {
      expect(() => checkUpdateSigning(feed, {}, platform, false), platform).toThrow(/Set the signing inputs .* or pass --allow-unsigned-updates/);
    }
    // Windows signs with WIN_CSC_LINK: a macOS identity from the keychain does not sign a Windows build.
    expect(() => checkUpdateSigning(feed, { CSC_NAME: "Developer ID" }, "win32", false)).toThrow(/this build is not signed/);
    expect(() => checkUpdateSigning(feed, { WIN_CSC_LINK: " " }, "win32", false)).toThrow(/this build is not signed/);
  });

  it("lets a signed build with a feed through, and a build without a feed whatever its signing", () => {
    expect(checkUpdateSigning(feed, { CSC_LINK: "cert.p12" }, "darwin", false)).toEqual([]);
    expect(checkUpdateSigning(feed, { WIN_CSC_LINK: "cert.pfx" }, "win32", false)).toEqual([]);
    expect(checkUpdateSigning(undefined, {}, "linux", false)).toEqual([]);
  });

  it("builds unsigned with a feed only when asked explicitly, and says why that is risky", () => {
    const [warning, ...rest] = checkUpdateSigning(feed, {}, "linux", true);
    expect(rest).toEqual([]);
    expect(warning).toContain("Linux builds cannot be signed");
    expect(warning).toContain("only as trustworthy as the GitHub releases of octo-org/flying-stable");
  });
});

describe("genericFeed", () => {
  it("rejects plain HTTP and says to serve the folder over HTTPS", () => {
    expect(() => genericFeed("http://updates.example.com/stable/")).toThrow(
      /DDS_UPDATE_URL=http:\/\/updates\.example\.com\/stable\/ does not use https.*Serve the update folder over HTTPS/,
    );
    expect(() => genericFeed("file:///srv/updates/")).toThrow(/does not use https/);
  });

  it("rejects text that is not a URL and credentials that would ship in the app", () => {
    expect(() => genericFeed("updates.example.com")).toThrow(/is not a URL\. Set it to the HTTPS folder/);
    expect(() => genericFeed("https://admin:secret@updates.example.com/")).toThrow(/user name or password/);
  });

  it("keeps the whole folder path of the URL", () => {
    expect(genericFeed("https://updates.example.com/apps/stable")).toEqual({ provider: "generic", url: "https://updates.example.com/apps/stable/" });
    expect(describeUpdateFeed(genericFeed("https://updates.example.com/apps/stable/"))).toBe("the update folder https://updates.example.com/apps/stable/");
  });
});

describe("githubFeed", () => {
  it("needs owner/repo", () => {
    expect(describeUpdateFeed(githubFeed("octo-org/flying-stable"))).toBe("the GitHub releases of octo-org/flying-stable");
    expect(() => githubFeed("https://github.com/octo-org/flying-stable")).toThrow(/set DDS_UPDATE_GITHUB_REPOSITORY to owner\/repo/);
  });
});

/** electron-updater's own provider for a feed, as the packaged app creates it from app-update.yml. */
function providerFor(feed: UpdateFeed, platform: ProviderPlatform, executor?: HttpExecutor<ClientRequest>) {
  const updater = { channel: null, isAddNoCacheQuery: false, allowPrerelease: false } as unknown as AppUpdater;
  const runtime = { platform, executor, isUseMultipleRangeRequest: false } as unknown as ProviderRuntimeOptions;
  return createClient(feed, updater, runtime) as unknown as {
    baseUrl: URL;
    channel: string;
    getLatestVersion(): Promise<{ version: string; files: { url: string }[] }>;
    resolveFiles(info: unknown): { url: URL }[];
  };
}

describe("the feeds as electron-updater resolves them", () => {
  it("generic: reads <url>/latest.yml, latest-mac.yml or latest-linux.yml", () => {
    const feed = genericFeed("https://updates.example.com/apps/stable");
    const files = (["win32", "darwin", "linux"] as const).map((platform) => {
      const provider = providerFor(feed, platform);
      return new URL(`${provider.channel}.yml`, provider.baseUrl).href;
    });
    expect(files).toEqual([
      "https://updates.example.com/apps/stable/latest.yml",
      "https://updates.example.com/apps/stable/latest-mac.yml",
      "https://updates.example.com/apps/stable/latest-linux.yml",
    ]);
  });

  it("github: reads the releases of owner/repo on github.com", () => {
    const provider = providerFor(githubFeed("octo-org/flying-stable"), "darwin") as unknown as { baseUrl: URL; basePath: string; channel: string };
    expect(new URL(provider.basePath, provider.baseUrl).href).toBe("https://github.com/octo-org/flying-stable/releases");
    expect(provider.channel).toBe("latest-mac");
  });

  it("generic: a folder laid out as published gives the new version and its installer's URL", async () => {
    const installer = Buffer.from("pretend AppImage");
    const sha512 = createHash("sha512").update(installer).digest("base64");
    const metadata = [
      "version: 1.2.0",
      "files:",
      "  - url: Flying-Stable-1.2.0.AppImage",
      `    sha512: ${sha512}`,
      `    size: ${installer.length}`,
      "path: Flying-Stable-1.2.0.AppImage",
      `sha512: ${sha512}`,
      "releaseDate: '2026-11-24T00:00:00.000Z'",
      "",
    ].join("\n");
    const requested: string[] = [];
    const server = createServer((incoming, response) => {
      requested.push(incoming.url ?? "");
      if (incoming.url?.split("?")[0] === "/apps/stable/latest-linux.yml") response.writeHead(200).end(metadata);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      // The real app only accepts https feeds (genericFeed); electron-updater reads an http one the same way.
      const feed: UpdateFeed = { provider: "generic", url: `http://127.0.0.1:${port}/apps/stable/` };
      const provider = providerFor(feed, "linux", new NodeHttpExecutor());
      const latest = await provider.getLatestVersion();
      expect(latest.version).toBe("1.2.0");
      expect(provider.resolveFiles(latest).map((file) => file.url.href)).toEqual([`http://127.0.0.1:${port}/apps/stable/Flying-Stable-1.2.0.AppImage`]);
      expect(requested[0]).toMatch(/^\/apps\/stable\/latest-linux\.yml/);
    } finally {
      server.close();
    }
  });
});

/** electron-updater requests through Electron's net module; under plain Node, Node's http does the same job. */
class NodeHttpExecutor extends HttpExecutor<ClientRequest> {
  createRequest(options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest {
    return request(options, callback);
  }
}

describe("npm run pack with a feed it refuses", () => {
  it("stops with the feed's message, before anything else and without a stack trace", () => {
    const env = { ...process.env, DDS_UPDATE_URL: "http://updates.example.com/flying-stable/" };
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join(chapterDir, "scripts", "package.ts"), "--dir"], { cwd: chapterDir, env, encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("does not use https");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).not.toContain("Update feed:");
  });
});
