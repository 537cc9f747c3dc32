/**
 * About what the staged bundle weighs in a download. Installers compress the
 * bundle (NSIS and AppImage with LZMA/xz or zstd, DMG with zlib or LZFSE), so
 * bytes on disk overstate what a user downloads, and unevenly: Python sources
 * shrink about fourfold, shared libraries much less. This puts every file, in
 * a fixed order, through one Brotli stream, as a solid archive would: a
 * stand-in for the installers' compressors, close to xz, not any one of them.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

function filesBelow(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => (entry.isDirectory() ? filesBelow(path.join(dir, entry.name)) : entry.isFile() ? [path.join(dir, entry.name)] : []));
}

/** Bytes of the folder's files compressed in one stream (Brotli quality 6, 16 MB window: a few seconds for 45 MB). */
export async function compressedSize(dir: string): Promise<number> {
  const stream = zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 6, [zlib.constants.BROTLI_PARAM_LGWIN]: 24 } });
  let bytes = 0;
  stream.on("data", (chunk: Buffer) => (bytes += chunk.length));
  const ended = new Promise<void>((resolve, reject) => stream.on("end", resolve).on("error", reject));
  for (const file of filesBelow(dir)) {
    if (!stream.write(readFileSync(file))) await new Promise((resolve) => stream.once("drain", resolve));
  }
  stream.end();
  await ended;
  return bytes;
}
