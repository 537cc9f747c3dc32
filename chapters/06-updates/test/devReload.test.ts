import { cpSync, appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startBackend, type Backend, type ServingInfo } from "../src/backend";
import { isTemplateOrStatic, watchTemplatesAndStatic } from "../src/devReload";
import { devPaths } from "../src/paths";
import { freePort, tempDir, waitFor } from "./helpers";

describe("isTemplateOrStatic", () => {
  const root = path.join(path.sep, "repo", "django");
  it("matches files below templates or static folders", () => {
    expect(isTemplateOrStatic(root, path.join(root, "example_app", "templates", "example_app", "list.html"))).toBe(true);
    expect(isTemplateOrStatic(root, path.join(root, "example_app", "static", "css", "stable.css"))).toBe(true);
  });
  it("leaves Python files to Django's autoreloader", () => {
    expect(isTemplateOrStatic(root, path.join(root, "example_app", "views.py"))).toBe(false);
    expect(isTemplateOrStatic(root, path.join(root, "templates.py"))).toBe(false);
  });
});

describe("watchTemplatesAndStatic", () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => stop?.());

  it("reloads after a template edit, not after a Python edit", async () => {
    const root = tempDir();
    mkdirSync(path.join(root, "app", "templates"), { recursive: true });
    writeFileSync(path.join(root, "app", "views.py"), "x = 1\n");
    writeFileSync(path.join(root, "app", "templates", "page.html"), "<p>one</p>");
    let reloads = 0;
    const reloaded = waitFor<void>((resolve) => {
      stop = watchTemplatesAndStatic(root, () => {
        reloads += 1;
        resolve();
      }, 20);
    }, 10_000, "a reload after the template edit");
    await new Promise((resolve) => setTimeout(resolve, 300));
    appendFileSync(path.join(root, "app", "views.py"), "y = 2\n");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(reloads).toBe(0);
    writeFileSync(path.join(root, "app", "templates", "page.html"), "<p>two</p>");
    await reloaded;
    expect(reloads).toBe(1);
  });
});

describe("Python edits", () => {
  let backend: Backend | undefined;
  afterEach(async () => backend?.stop());

  it("restart Django, which reports serving again from a new process", async () => {
    const { python } = devPaths();
    const copy = path.join(tempDir(), "django");
    cpSync(devPaths().djangoDir, copy, {
      recursive: true,
      filter: (source) => !/[\\/](\.venv|\.dev-data|__pycache__)$/.test(source),
    });
    const starts: ServingInfo[] = [];
    let onStart: (() => void) | undefined;
    backend = startBackend({
      python,
      managePy: path.join(copy, "manage.py"),
      port: await freePort(),
      env: { DJANGO_SETTINGS_MODULE: "desktop_django_starter.settings.dev", DESKTOP_DJANGO_APP_DATA_DIR: tempDir() },
      args: ["--reload"],
      onServing: (info) => {
        starts.push(info);
        onStart?.();
      },
    });
    await waitFor<void>((resolve) => (onStart = resolve), 30_000, "the first start");
    const restarted = waitFor<void>((resolve) => (onStart = resolve), 30_000, "the restart after a Python edit");
    // Django's reloader takes its first snapshot of file times shortly after it starts serving;
    // like a developer saving again, the test repeats the edit until the reloader has seen it.
    const edit = () => appendFileSync(path.join(copy, "example_app", "views.py"), "\n# edited by the dev-loop test\n");
    edit();
    const saving = setInterval(edit, 1500);
    await restarted.finally(() => clearInterval(saving));
    expect(starts).toHaveLength(2);
    expect(starts[1]!.pid).not.toBe(starts[0]!.pid);
  });
});
