/**
 * The committed app icons: they exist in the formats electron-builder reads,
 * hold the sizes each platform uses, and were made from the current brand art.
 * The generator itself runs here too, on a small SVG, into a temporary folder.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ICONS_DIR, LINUX_SIZES, MACOS_ENTRIES, SOURCE_SVG, WINDOWS_SIZES, sha256, writeIcons, type IconsRecord } from "../scripts/icons";
import { SHELL_DIR } from "../src/paths";
import { tempDir } from "./helpers";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngSize(data: Buffer): { width: number; height: number } {
  expect(data.subarray(0, 8).equals(PNG_SIGNATURE), "PNG signature").toBe(true);
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

/** The width of every image in an .ico file (a 0 byte in the directory means 256). */
function icoWidths(data: Buffer): number[] {
  expect(data.readUInt16LE(0)).toBe(0);
  expect(data.readUInt16LE(2), "ICO type 1 means icon").toBe(1);
  return Array.from({ length: data.readUInt16LE(4) }, (_, index) => {
    const entry = 6 + 16 * index;
    const width = data[entry] || 256;
    expect(data[entry + 1] || 256).toBe(width);
    const image = data.subarray(data.readUInt32LE(entry + 12), data.readUInt32LE(entry + 12) + data.readUInt32LE(entry + 8));
    if (image.subarray(0, 8).equals(PNG_SIGNATURE)) expect(pngSize(image).width).toBe(width);
    else expect(image.readUInt32LE(4), "BMP width").toBe(width);
    return width;
  });
}

/** The entries of an .icns file, by type, with the pixel size of those stored as PNG. */
function icnsEntries(data: Buffer): Map<string, number | "argb"> {
  expect(data.toString("latin1", 0, 4)).toBe("icns");
  expect(data.readUInt32BE(4)).toBe(data.length);
  const entries = new Map<string, number | "argb">();
  for (let offset = 8; offset < data.length; offset += data.readUInt32BE(offset + 4)) {
    const type = data.toString("latin1", offset, offset + 4);
    const body = data.subarray(offset + 8, offset + data.readUInt32BE(offset + 4));
    if (type === "TOC ") continue;
    entries.set(type, body.subarray(0, 8).equals(PNG_SIGNATURE) ? pngSize(body).width : body.toString("latin1", 0, 4) === "ARGB" ? "argb" : -1);
  }
  return entries;
}

function checkIconSet(dir: string): void {
  const pngs = readdirSync(path.join(dir, "png")).sort();
  expect(pngs).toEqual(LINUX_SIZES.map((size) => `${size}x${size}.png`).sort());
  for (const size of LINUX_SIZES) expect(pngSize(readFileSync(path.join(dir, "png", `${size}x${size}.png`)))).toEqual({ width: size, height: size });

  expect(icoWidths(readFileSync(path.join(dir, "icon.ico"))).sort((a, b) => a - b)).toEqual(WINDOWS_SIZES);

  const icns = icnsEntries(readFileSync(path.join(dir, "icon.icns")));
  expect([...icns.keys()].sort()).toEqual(MACOS_ENTRIES.map(([type]) => type).sort());
  for (const [type, size] of MACOS_ENTRIES) {
    // The two smallest types hold raw ARGB pixels, the others PNG data of the stated size.
    expect(icns.get(type), type).toBe(type === "ic04" || type === "ic05" ? "argb" : size);
  }
}

describe("the committed icons", () => {
  it("exist for macOS, Windows and Linux with every size", () => {
    for (const file of ["icon.icns", "icon.ico", "icons.json", "png"]) expect(existsSync(path.join(ICONS_DIR, file)), file).toBe(true);
    checkIconSet(ICONS_DIR);
  });

  it("were made from the current brand art (run `npm run icons` after changing it)", () => {
    const record = JSON.parse(readFileSync(path.join(ICONS_DIR, "icons.json"), "utf8")) as IconsRecord;
    expect(record.source).toBe(SOURCE_SVG);
    expect(record.sha256).toBe(sha256(readFileSync(path.join(SHELL_DIR, SOURCE_SVG))));
  });
});

describe("writeIcons", () => {
  const work = tempDir("dds-icons-");
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("renders every size from an SVG and records its hash", async () => {
    const svg = path.join(work, "square.svg");
    writeFileSync(svg, '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#0f766e"/></svg>');
    await writeIcons(svg, path.join(work, "icons"), "square.svg");
    checkIconSet(path.join(work, "icons"));
    const record = JSON.parse(readFileSync(path.join(work, "icons", "icons.json"), "utf8")) as IconsRecord;
    expect(record).toEqual({ source: "square.svg", sha256: sha256(readFileSync(svg)) });
  });

  it("refuses art that is not square and leaves the previous icons in place", async () => {
    const svg = path.join(work, "wide.svg");
    writeFileSync(svg, '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10"><rect width="20" height="10"/></svg>');
    const previous = path.join(work, "wide");
    mkdirSync(previous);
    writeFileSync(path.join(previous, "icon.ico"), "previous");
    await expect(writeIcons(svg, previous, "wide.svg")).rejects.toThrow("The icon art must be square; it renders as 16x8");
    expect(readFileSync(path.join(previous, "icon.ico"), "utf8")).toBe("previous");
  });
});
