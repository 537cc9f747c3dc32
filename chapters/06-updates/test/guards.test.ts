import { describe, expect, it } from "vitest";
import { decideNavigation, decideWindowOpen, isSameOrigin } from "../src/guards";

const origin = "http://127.0.0.1:51234";

describe("decideNavigation", () => {
  it("allows pages on Django's origin", () => {
    expect(decideNavigation(`${origin}/items/1/`, origin)).toBe("allow");
  });

  it("denies everything else", () => {
    for (const url of ["https://example.com/", "http://127.0.0.1:9999/", "file:///etc/passwd", "javascript:alert(1)", "about:blank"]) {
      expect(decideNavigation(url, origin), url).toBe("deny");
    }
  });
});

describe("decideWindowOpen", () => {
  it("sends http(s) links to other origins to the system browser", () => {
    expect(decideWindowOpen("https://docs.djangoproject.com/", origin)).toBe("open-externally");
    expect(decideWindowOpen("http://example.com/", origin)).toBe("open-externally");
  });

  it("denies new windows on the app's own origin and every other scheme", () => {
    for (const url of [`${origin}/items/`, "file:///tmp/x.html", "mailto:a@b.c", "javascript:alert(1)", "not a url"]) {
      expect(decideWindowOpen(url, origin), url).toBe("deny");
    }
  });
});

describe("isSameOrigin", () => {
  it("is the check the IPC bridge uses for its sender", () => {
    expect(isSameOrigin(`${origin}/`, origin)).toBe(true);
    expect(isSameOrigin("http://127.0.0.1:1/", origin)).toBe(false);
    expect(isSameOrigin(undefined, origin)).toBe(false);
  });
});
