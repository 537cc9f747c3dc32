import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { devPaths } from "../src/paths";
import { splashUrl } from "../src/splash";

const { splashFile } = devPaths();

describe("splashUrl", () => {
  it("carries the whole splash file, so nothing is read over file://", () => {
    const url = splashUrl(splashFile);
    expect(url.startsWith("data:text/html;charset=utf-8;base64,")).toBe(true);
    expect(Buffer.from(url.slice(url.indexOf(",") + 1), "base64").toString("utf8")).toBe(readFileSync(splashFile, "utf8"));
  });

  it("is a page that needs no other file and runs no script, and says so in its own policy", () => {
    const html = readFileSync(splashFile, "utf8");
    expect(html).not.toMatch(/<script|\s(src|href)=|url\(/i);
    const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    expect(policy?.split(/;\s*/)).toEqual(["default-src 'none'", "style-src 'unsafe-inline'", "base-uri 'none'", "form-action 'none'"]);
  });
});
