import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_STATE, loadWindowState, placeOnScreen, saveWindowState } from "../src/windowState";
import { tempDir } from "./helpers";

describe("window state", () => {
  it("round-trips size, position and maximized through the app-data file", () => {
    const file = path.join(tempDir(), "nested", "window-state.json");
    saveWindowState(file, { x: 10, y: 20, width: 900, height: 700, maximized: true });
    expect(loadWindowState(file)).toEqual({ x: 10, y: 20, width: 900, height: 700, maximized: true });
  });

  it("falls back to the default for a missing or damaged file", () => {
    const dir = tempDir();
    expect(loadWindowState(path.join(dir, "none.json"))).toEqual(DEFAULT_STATE);
    const damaged = path.join(dir, "damaged.json");
    writeFileSync(damaged, "{ not json");
    expect(loadWindowState(damaged)).toEqual(DEFAULT_STATE);
    writeFileSync(damaged, JSON.stringify({ width: "wide", height: 700 }));
    expect(loadWindowState(damaged)).toEqual(DEFAULT_STATE);
  });

  it("never restores a window too small to use", () => {
    const file = path.join(tempDir(), "tiny.json");
    writeFileSync(file, JSON.stringify({ width: 5, height: 5, maximized: false }));
    expect(loadWindowState(file)).toMatchObject({ width: 480, height: 360 });
  });

  it("leaves no temporary file behind", () => {
    const file = path.join(tempDir(), "state.json");
    saveWindowState(file, DEFAULT_STATE);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(DEFAULT_STATE);
    expect(() => readFileSync(`${file}.tmp`)).toThrow();
  });
});

describe("placeOnScreen", () => {
  const screens = [{ x: 0, y: 0, width: 1920, height: 1080 }];

  it("keeps a position on a screen", () => {
    const state = { x: 100, y: 100, width: 1100, height: 760, maximized: false };
    expect(placeOnScreen(state, screens)).toEqual(state);
  });

  it("drops a position that is on no screen any more (a monitor was unplugged)", () => {
    const state = { x: 2500, y: 100, width: 1100, height: 760, maximized: false };
    expect(placeOnScreen(state, screens)).toEqual({ width: 1100, height: 760, maximized: false });
  });

  it("keeps a position on a second screen", () => {
    const state = { x: 2500, y: 100, width: 1100, height: 760, maximized: false };
    expect(placeOnScreen(state, [...screens, { x: 1920, y: 0, width: 2560, height: 1440 }])).toEqual(state);
  });
});
