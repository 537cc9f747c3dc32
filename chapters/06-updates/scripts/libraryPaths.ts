/**
 * Where a compiled program or library looks for the libraries it loads, read
 * from its own headers in plain TypeScript (no readelf, otool or patchelf):
 * on Linux the ELF dynamic section's DT_RPATH and DT_RUNPATH, on macOS the
 * Mach-O load commands LC_RPATH and the install names of the libraries it
 * loads. Windows' DLLs carry no such paths.
 *
 * A relocatable runtime names its own folders relative to itself ($ORIGIN on
 * Linux, @rpath, @loader_path or @executable_path on macOS). A path of the
 * machine that built it works there and breaks, or loads something else, on a
 * user's machine: `notRelocatable()` lists those.
 */

export type LibraryPathKind = "RPATH" | "RUNPATH" | "LC_RPATH" | "LC_LOAD_DYLIB";

export interface LibraryPath {
  kind: LibraryPathKind;
  value: string;
  /** ELF only: where the string starts in the file, for rewriting it in place. */
  offset?: number;
}

const DT_NULL = 0;
const DT_STRTAB = 5;
const DT_RPATH = 15;
const DT_RUNPATH = 29;
const PT_LOAD = 1;
const PT_DYNAMIC = 2;

/** Mach-O load commands that name a library to load (the library's own LC_ID_DYLIB does not). */
const LOAD_COMMANDS = new Set([0xc, 0x80000018, 0x8000001f, 0x20, 0x80000023]);
const LC_RPATH = 0x8000001c;

/** True when `head` (a file's first bytes) starts like an ELF or Mach-O file. */
export function isCompiledBinary(head: Buffer): boolean {
  if (head.length < 4) return false;
  const magic = head.readUInt32BE(0);
  return magic === 0x7f454c46 || machOByteOrder(head) !== undefined || magic === 0xcafebabe || magic === 0xcafebabf;
}

/** The library paths in an ELF or Mach-O file; none for anything else, or for a file too damaged to read. */
export function libraryPaths(bytes: Buffer): LibraryPath[] {
  try {
    if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x7f454c46) return elfPaths(bytes);
    return machOPaths(bytes);
  } catch (error) {
    if (error instanceof RangeError) return [];
    throw error;
  }
}

/** A C string at `offset`, without its NUL. */
function cString(bytes: Buffer, offset: number): string {
  const end = bytes.indexOf(0, offset);
  return bytes.toString("utf8", offset, end < 0 ? bytes.length : end);
}

function elfPaths(bytes: Buffer): LibraryPath[] {
  const wide = bytes[4] === 2;
  const little = bytes[5] !== 2;
  const u16 = (at: number) => (little ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
  const u32 = (at: number) => (little ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  const word = (at: number) => (wide ? Number(little ? bytes.readBigUInt64LE(at) : bytes.readBigUInt64BE(at)) : u32(at));
  const phoff = word(wide ? 0x20 : 0x1c);
  const phentsize = u16(wide ? 0x36 : 0x2a);
  const phnum = u16(wide ? 0x38 : 0x2c);
  const segments = Array.from({ length: phnum }, (_, index) => {
    const at = phoff + index * phentsize;
    return wide
      ? { type: u32(at), offset: word(at + 8), vaddr: word(at + 16), filesz: word(at + 32) }
      : { type: u32(at), offset: u32(at + 4), vaddr: u32(at + 8), filesz: u32(at + 16) };
  });
  const dynamic = segments.find((segment) => segment.type === PT_DYNAMIC);
  if (!dynamic) return [];
  const entrySize = wide ? 16 : 8;
  const entries: Array<{ tag: number; value: number }> = [];
  for (let at = dynamic.offset; at + entrySize <= dynamic.offset + dynamic.filesz; at += entrySize) {
    const tag = word(at);
    if (tag === DT_NULL) break;
    entries.push({ tag, value: word(at + entrySize / 2) });
  }
  const strtab = entries.find((entry) => entry.tag === DT_STRTAB)?.value;
  // DT_STRTAB is an address once loaded: the loadable segment holding it says where it is in the file.
  const holder = segments.find((segment) => segment.type === PT_LOAD && strtab !== undefined && segment.vaddr <= strtab && strtab < segment.vaddr + segment.filesz);
  if (strtab === undefined || !holder) return [];
  const table = strtab - holder.vaddr + holder.offset;
  return entries
    .filter((entry) => entry.tag === DT_RPATH || entry.tag === DT_RUNPATH)
    .map((entry) => ({ kind: entry.tag === DT_RPATH ? "RPATH" : "RUNPATH", value: cString(bytes, table + entry.value), offset: table + entry.value }));
}

function machOByteOrder(bytes: Buffer): "LE" | "BE" | undefined {
  const le = bytes.readUInt32LE(0);
  if (le === 0xfeedface || le === 0xfeedfacf) return "LE";
  const be = bytes.readUInt32BE(0);
  if (be === 0xfeedface || be === 0xfeedfacf) return "BE";
  return undefined;
}

function machOPaths(bytes: Buffer): LibraryPath[] {
  const magic = bytes.readUInt32BE(0);
  if (magic === 0xcafebabe || magic === 0xcafebabf) {
    // A universal binary: one Mach-O per architecture. Java's class files share the magic; their
    // version number sits where the count of architectures would, and is far larger.
    const count = bytes.readUInt32BE(4);
    if (count === 0 || count > 30) return [];
    const wide = magic === 0xcafebabf;
    const found: LibraryPath[] = [];
    for (let index = 0; index < count; index += 1) {
      const at = 8 + index * (wide ? 32 : 20);
      const offset = wide ? Number(bytes.readBigUInt64BE(at + 8)) : bytes.readUInt32BE(at + 8);
      const size = wide ? Number(bytes.readBigUInt64BE(at + 16)) : bytes.readUInt32BE(at + 12);
      found.push(...machOPaths(bytes.subarray(offset, offset + size)));
    }
    return found;
  }
  const order = machOByteOrder(bytes);
  if (!order) return [];
  const u32 = (at: number) => (order === "LE" ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  const wide = u32(0) === 0xfeedfacf;
  const count = u32(16);
  const found: LibraryPath[] = [];
  let at = wide ? 32 : 28;
  for (let index = 0; index < count; index += 1) {
    const command = u32(at);
    const size = u32(at + 4);
    if (size < 8) break;
    // Both commands hold the offset of their string, from the command's start, right after cmd and cmdsize.
    if (command === LC_RPATH) found.push({ kind: "LC_RPATH", value: cString(bytes.subarray(0, at + size), at + u32(at + 8)) });
    else if (LOAD_COMMANDS.has(command)) found.push({ kind: "LC_LOAD_DYLIB", value: cString(bytes.subarray(0, at + size), at + u32(at + 8)) });
    at += size;
  }
  return found;
}

/** Folders of macOS itself, the same on every Mac: a library loaded from there is no dependency on the build machine. */
const MACOS_SYSTEM = /^\/(usr\/lib|System\/Library)\//;

/**
 * The paths in `paths` that tie a binary to the machine that built it, as "RUNPATH /home/me/.pyenv/versions/3.12.1/lib":
 * ELF search paths that are absolute (one entry of a colon-separated list is enough), Mach-O rpaths and loaded
 * libraries at absolute paths outside macOS's own folders.
 */
export function notRelocatable(paths: LibraryPath[]): string[] {
  const found: string[] = [];
  for (const { kind, value } of paths) {
    if (kind === "RPATH" || kind === "RUNPATH") {
      const absolute = value.split(":").filter((entry) => entry.startsWith("/"));
      if (absolute.length) found.push(`${kind} ${absolute.join(":")}`);
    } else if (value.startsWith("/") && !MACOS_SYSTEM.test(value)) {
      found.push(`${kind} ${value}`);
    }
  }
  return found;
}
