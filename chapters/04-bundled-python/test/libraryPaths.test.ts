/**
 * Reading where binaries load libraries from, without readelf or otool: ELF
 * from this machine's own files, Mach-O from headers written here the way
 * Apple's linker lays them out (no Mac needed), thin and universal.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isCompiledBinary, libraryPaths, notRelocatable } from "../scripts/libraryPaths";

const LC_LOAD_DYLIB = 0xc;
const LC_ID_DYLIB = 0xd;
const LC_RPATH = 0x8000001c;

/** A 64-bit little-endian Mach-O dylib header whose load commands each name one string. */
function machO(commands: Array<[number, string]>): Buffer {
  const bodies = commands.map(([command, text]) => {
    const fixed = command === LC_RPATH ? 12 : 24; // rpath_command, or dylib_command with its timestamp and versions
    const size = Math.ceil((fixed + Buffer.byteLength(text) + 1) / 8) * 8;
    const body = Buffer.alloc(size);
    body.writeUInt32LE(command, 0);
    body.writeUInt32LE(size, 4);
    body.writeUInt32LE(fixed, 8);
    body.write(text, fixed);
    return body;
  });
  const header = Buffer.alloc(32);
  header.writeUInt32LE(0xfeedfacf, 0);
  header.writeUInt32LE(0x0100000c, 4); // arm64
  header.writeUInt32LE(6, 12); // MH_DYLIB
  header.writeUInt32LE(bodies.length, 16);
  header.writeUInt32LE(bodies.reduce((sum, body) => sum + body.length, 0), 20);
  return Buffer.concat([header, ...bodies]);
}

/** A universal binary holding `slices`, as lipo writes it (big-endian fat header, slices aligned to 4 KiB). */
function universal(slices: Buffer[]): Buffer {
  const header = Buffer.alloc(8 + slices.length * 20);
  header.writeUInt32BE(0xcafebabe, 0);
  header.writeUInt32BE(slices.length, 4);
  const parts: Buffer[] = [header];
  let offset = 4096;
  slices.forEach((slice, index) => {
    header.writeUInt32BE(offset, 8 + index * 20 + 8);
    header.writeUInt32BE(slice.length, 8 + index * 20 + 12);
    parts.push(Buffer.alloc(offset - parts.reduce((sum, part) => sum + part.length, 0)), slice);
    offset += Math.ceil(slice.length / 4096) * 4096;
  });
  return Buffer.concat(parts);
}

describe("libraryPaths on ELF", () => {
  it("reads RUNPATH from this machine's own programs, and finds none in a program that has none", () => {
    const node = readFileSync(process.execPath);
    expect(isCompiledBinary(node)).toBe(process.platform === "linux" || process.platform === "darwin");
    expect(libraryPaths(Buffer.from("#!/bin/sh\necho not a binary\n"))).toEqual([]);
    expect(isCompiledBinary(Buffer.from("{}"))).toBe(false);
  });
});

describe("libraryPaths on Mach-O", () => {
  const python = machO([
    [LC_ID_DYLIB, "/install/lib/libpython3.12.dylib"],
    [LC_LOAD_DYLIB, "@rpath/libssl.3.dylib"],
    [LC_LOAD_DYLIB, "/usr/lib/libSystem.B.dylib"],
    [LC_LOAD_DYLIB, "/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation"],
    [LC_RPATH, "@loader_path/../lib"],
  ]);

  it("reads the rpaths and the libraries a binary loads, not its own install name, and finds them relocatable", () => {
    expect(isCompiledBinary(python)).toBe(true);
    expect(libraryPaths(python)).toEqual([
      { kind: "LC_LOAD_DYLIB", value: "@rpath/libssl.3.dylib" },
      { kind: "LC_LOAD_DYLIB", value: "/usr/lib/libSystem.B.dylib" },
      { kind: "LC_LOAD_DYLIB", value: "/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation" },
      { kind: "LC_RPATH", value: "@loader_path/../lib" },
    ]);
    expect(notRelocatable(libraryPaths(python))).toEqual([]);
  });

  it("names libraries and rpaths at absolute folders outside macOS's own, in each slice of a universal binary", () => {
    const homebrew = machO([[LC_LOAD_DYLIB, "/opt/homebrew/opt/openssl@3/lib/libssl.3.dylib"]]);
    const pyenv = machO([[LC_RPATH, "/Users/me/.pyenv/versions/3.12.1/lib"]]);
    const both = universal([homebrew, pyenv]);
    expect(isCompiledBinary(both)).toBe(true);
    expect(notRelocatable(libraryPaths(both))).toEqual(["LC_LOAD_DYLIB /opt/homebrew/opt/openssl@3/lib/libssl.3.dylib", "LC_RPATH /Users/me/.pyenv/versions/3.12.1/lib"]);
  });

  it("reads nothing from a Java class file, which shares the universal binary's magic number", () => {
    const classFile = Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x41, 0, 0, 0, 0]);
    expect(libraryPaths(classFile)).toEqual([]);
  });
});

describe("notRelocatable on ELF paths", () => {
  it("names absolute entries of RPATH and RUNPATH, and accepts $ORIGIN", () => {
    expect(notRelocatable([{ kind: "RUNPATH", value: "$ORIGIN/../lib" }, { kind: "RPATH", value: "${ORIGIN}" }])).toEqual([]);
    expect(notRelocatable([{ kind: "RUNPATH", value: "$ORIGIN/../lib:/home/me/.pyenv/versions/3.12.1/lib" }])).toEqual(["RUNPATH /home/me/.pyenv/versions/3.12.1/lib"]);
  });
});
