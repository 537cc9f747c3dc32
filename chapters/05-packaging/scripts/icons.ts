/**
 * `npm run icons`: renders the brand art (assets/brand/pony.svg) into the icon
 * files electron-builder puts into each installer, under build/icons/:
 *
 *   icon.icns         macOS (16 to 1024 px, with the @2x variants)
 *   icon.ico          Windows (16 to 256 px)
 *   png/NxN.png       Linux (16 to 1024 px; electron-builder reads the sizes from the names)
 *   icons.json        the SVG's SHA-256, so a test can tell when the icons are older than the art
 *
 * Every size is rendered from the vector art rather than scaled down from one
 * large bitmap, so small icons stay sharp. The output is committed: packaging
 * a fresh clone does not need this step, only changing the art does.
 *
 * Options: --svg <file> renders another SVG, --out <folder> writes elsewhere.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { Resvg } from "@resvg/resvg-js";
import { IconIcns, IconIco } from "@shockpkg/icon-encoder";
import { findRepoRoot } from "../src/paths";

export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
export const WINDOWS_SIZES = [16, 24, 32, 48, 64, 128, 256];
/** ICNS entry types and the pixel size each holds (Apple's names: ic11 is 16@2x, ic10 is 512@2x). */
export const MACOS_ENTRIES: Array<[type: string, size: number]> = [
  ["ic04", 16],
  ["ic11", 32],
  ["ic05", 32],
  ["ic12", 64],
  ["ic07", 128],
  ["ic13", 256],
  ["ic08", 256],
  ["ic14", 512],
  ["ic09", 512],
  ["ic10", 1024],
];

export const SOURCE_SVG = "assets/brand/pony.svg";
export const ICONS_DIR = path.resolve(__dirname, "..", "build", "icons");

/** What icons.json records about the art the icons were made from. */
export interface IconsRecord {
  source: string;
  sha256: string;
}

export function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function renderPng(svg: Buffer, size: number): Buffer {
  // System fonts are left out so the result does not depend on the machine.
  const image = new Resvg(svg, { fitTo: { mode: "width", value: size }, font: { loadSystemFonts: false } }).render();
  if (image.width !== image.height) {
    throw new Error(`The icon art must be square; it renders as ${image.width}x${image.height}. Give the SVG a square viewBox.`);
  }
  return image.asPng();
}

/** Writes the whole icon set for `svgFile` into `outDir`, replacing what was there only once every size rendered. */
export async function writeIcons(svgFile: string, outDir: string, sourceLabel: string): Promise<void> {
  const svg = readFileSync(svgFile);
  const sizes = new Set([...LINUX_SIZES, ...WINDOWS_SIZES, ...MACOS_ENTRIES.map(([, size]) => size)]);
  const png = new Map([...sizes].map((size) => [size, renderPng(svg, size)]));
  const at = (size: number) => png.get(size)!;

  const ico = new IconIco();
  for (const size of [...WINDOWS_SIZES].reverse()) await ico.addFromPng(at(size));
  const icns = new IconIcns();
  icns.toc = true;
  for (const [type, size] of MACOS_ENTRIES) await icns.addFromPng(at(size), [type]);
  const record: IconsRecord = { source: sourceLabel, sha256: sha256(svg) };

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(path.join(outDir, "png"), { recursive: true });
  for (const size of LINUX_SIZES) writeFileSync(path.join(outDir, "png", `${size}x${size}.png`), at(size));
  writeFileSync(path.join(outDir, "icon.ico"), ico.encode());
  writeFileSync(path.join(outDir, "icon.icns"), icns.encode());
  writeFileSync(path.join(outDir, "icons.json"), `${JSON.stringify(record, null, 2)}\n`);
}

if (require.main === module) {
  if (process.argv.includes("--help")) {
    console.log(
      "Usage: npm run icons [-- --svg <file>] [-- --out <folder>]\n\n" +
        "Renders the app's art into the icon files each installer needs, under build/icons/.\n\n" +
        "  --svg <file>     render another SVG\n  --out <folder>   write elsewhere\n  --help           print this",
    );
    process.exit(0);
  }
  const { values } = parseArgs({ options: { svg: { type: "string" }, out: { type: "string" } } });
  const svgFile = values.svg ? path.resolve(values.svg) : path.join(findRepoRoot(), SOURCE_SVG);
  const outDir = values.out ? path.resolve(values.out) : ICONS_DIR;
  writeIcons(svgFile, outDir, values.svg ? path.basename(svgFile) : SOURCE_SVG).then(
    () => console.log(`Icons written to ${outDir} from ${svgFile}.`),
    (error: Error) => {
      console.error(`Could not make the icons from ${svgFile}: ${error.message}`);
      process.exit(1);
    },
  );
}
