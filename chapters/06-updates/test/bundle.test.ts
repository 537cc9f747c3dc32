/**
 * The bundle's size by part, on a small made-up bundle: every byte lands in
 * exactly one part, whether site-packages holds a package folder or a
 * single-module package (typing_extensions.py).
 */
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bundleSizeByPart, formatPackageTable, largestPackages } from "../scripts/bundle";
import { tempDir } from "./helpers";

const fsSize = (file: string) => statSync(file).size;

function write(root: string, file: string, bytes: number): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), "x".repeat(bytes));
}

describe("bundleSizeByPart", () => {
  it("counts package folders and single-module packages, each byte once", () => {
    const bundle = tempDir("dds-bundle-parts-");
    write(bundle, "python/bin/python3", 1000);
    write(bundle, "python/lib/python3.12/os.py", 200);
    write(bundle, "python/lib/python3.12/site-packages/django/__init__.py", 30);
    write(bundle, "python/lib/python3.12/site-packages/django-6.1.3.dist-info/METADATA", 5);
    write(bundle, "python/lib/python3.12/site-packages/typing_extensions.py", 40);
    write(bundle, "python/lib/python3.12/site-packages/waitress/__init__.py", 7);
    write(bundle, "django/manage.py", 11);
    write(bundle, "static/site.css", 13);
    const parts = Object.fromEntries(bundleSizeByPart(bundle).map(({ part, bytes }) => [part, bytes]));
    expect(parts).toEqual({ runtime: 1000, stdlib: 200, Django: 35, "other packages": 47, project: 11, static: 13 });
  });
});

describe("largestPackages", () => {
  it("sizes each distribution by what its RECORD lists, a shared namespace folder by its own files, largest first", () => {
    const bundle = tempDir("dds-bundle-packages-");
    const site = "python/lib/python3.12/site-packages";
    const dist = (name: string, version: string, files: [string, number][]) => {
      for (const [file, bytes] of files) write(bundle, `${site}/${file}`, bytes);
      write(bundle, `${site}/${name}-${version}.dist-info/METADATA`, 0);
      writeFileSync(path.join(bundle, site, `${name}-${version}.dist-info/METADATA`), `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`);
      const record = [...files.map(([file]) => `${file},sha256=x,1`), `${name}-${version}.dist-info/METADATA,,`, `../../../bin/${name},,`].join("\n");
      writeFileSync(path.join(bundle, site, `${name}-${version}.dist-info/RECORD`), record);
    };
    dist("Django", "6.1.3", [["django/__init__.py", 3000]]);
    dist("google_cloud_storage", "3.0.0", [["google/cloud/storage/__init__.py", 800]]);
    dist("google_auth", "2.0.0", [["google/auth/__init__.py", 500]]);
    dist("typing_extensions", "4.16.0", [["typing_extensions.py", 40]]);
    // Compiled later by the stage: counted with its package, though RECORD does not list it.
    write(bundle, `${site}/django/__pycache__/__init__.cpython-312.pyc`, 1000);
    const sizes = largestPackages(bundle, 3).map(({ name, version, bytes }) => [name, version, bytes]);
    const metadata = (name: string, version: string) => `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`.length;
    const record = (name: string, version: string) => fsSize(path.join(bundle, site, `${name}-${version}.dist-info/RECORD`));
    expect(sizes).toEqual([
      ["Django", "6.1.3", 4000 + metadata("Django", "6.1.3") + record("Django", "6.1.3")],
      ["google_cloud_storage", "3.0.0", 800 + metadata("google_cloud_storage", "3.0.0") + record("google_cloud_storage", "3.0.0")],
      ["google_auth", "2.0.0", 500 + metadata("google_auth", "2.0.0") + record("google_auth", "2.0.0")],
    ]);
    expect(formatPackageTable(largestPackages(bundle, 1))).toEqual(["Largest installed packages (1):", expect.stringMatching(/^ {2}Django 6\.1\.3 +4 kB$/)]);
  });
});
