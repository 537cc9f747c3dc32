/**
 * The bundle's size by part, on a small made-up bundle: every byte lands in
 * exactly one part, whether site-packages holds a package folder or a
 * single-module package (typing_extensions.py).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bundleSizeByPart } from "../scripts/bundle";
import { tempDir } from "./helpers";

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
