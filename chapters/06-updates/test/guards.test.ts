import { describe, expect, it } from "vitest";
import { decideNavigation, decideWindowOpen, externalLinkLimiter, isSameOrigin } from "../src/guards";

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

describe("decideNavigation before Django serves", () => {
  it("allows nothing, not even a URL that does not parse (whose origin is as undefined as the app's)", () => {
    for (const url of [`${origin}/`, "not a url", "about:blank", "data:text/html,hi", "file:///etc/passwd"]) {
      expect(decideNavigation(url, undefined), url).toBe("deny");
    }
    expect(isSameOrigin("not a url", undefined)).toBe(false);
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

describe("externalLinkLimiter", () => {
  function clock() {
    let time = 10_000;
    return { now: () => time, advance: (ms: number) => (time += ms) };
  }

  it("opens nothing the user did not ask for", () => {
    const { now } = clock();
    const links = externalLinkLimiter({ now });
    expect(links.mayOpen()).toBe(false);
    links.noteInput("mouseMove");
    links.noteInput("mouseWheel");
    expect(links.mayOpen()).toBe(false);
  });

  it("opens one link per click or key press, shortly after it", () => {
    const time = clock();
    const links = externalLinkLimiter({ now: time.now });
    links.noteInput("mouseDown");
    expect(links.mayOpen()).toBe(true);
    expect(links.mayOpen()).toBe(false);
    time.advance(1500);
    links.noteInput("rawKeyDown");
    time.advance(200);
    expect(links.mayOpen()).toBe(true);
    links.noteInput("mouseDown");
    time.advance(1500);
    expect(links.mayOpen(), "a click more than a second ago").toBe(false);
  });

  it("never opens more than one link per second, however fast the clicks come", () => {
    const time = clock();
    const links = externalLinkLimiter({ now: time.now });
    let opened = 0;
    for (let step = 0; step < 20; step += 1) {
      links.noteInput("mouseDown");
      if (links.mayOpen()) opened += 1;
      time.advance(100);
    }
    expect(opened).toBe(2);
  });
});
