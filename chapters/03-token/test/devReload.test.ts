import { cpSync, appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
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

/** A copy of the Django project that a test may edit, like a developer would. */
function copyOfDjangoProject(): string {
  const copy = path.join(tempDir(), "django");
  cpSync(devPaths().djangoDir, copy, {
    recursive: true,
    filter: (source) => !/[\\/](\.venv|\.dev-data|__pycache__)$/.test(source),
  });
  return copy;
}

/** Saves `edit` into `file` again every 1.5 s until `done` settles: Django's reloader may miss the first save, taken shortly after it starts. */
async function keepSaving(file: string, content: string, done: Promise<unknown>): Promise<void> {
  const save = () => writeFileSync(file, content);
  save();
  const saving = setInterval(save, 1500);
  await done.finally(() => clearInterval(saving));
}

/** Django with its autoreloader on a copy of the project, as `npm run dev` starts it; nextStart(what) settles at its next "serving" line, or fails with its last lines if it exits. */
async function startReloading(copy: string) {
  const lines: string[] = [];
  const starts: (ServingInfo & { error?: string })[] = [];
  let onStart: (() => void) | undefined;
  const backend = startBackend({
    python: devPaths().python,
    managePy: path.join(copy, "manage.py"),
    port: await freePort(),
    env: { DJANGO_SETTINGS_MODULE: "desktop_django_starter.settings.dev", DESKTOP_DJANGO_APP_DATA_DIR: tempDir() },
    args: ["--reload"],
    onLine: (line) => lines.push(line),
    onServing: (info) => {
      starts.push(info);
      onStart?.();
    },
  });
  const exitedEarly = backend.exited.then((code) => {
    throw new Error(`Django exited with code ${code}; its last lines:\n${lines.slice(-15).join("\n")}`);
  });
  const nextStart = (what: string) => Promise.race([waitFor<void>((resolve) => (onStart = resolve), 30_000, what), exitedEarly]);
  return { backend, lines, starts, nextStart };
}

describe("Python edits", () => {
  let backend: Backend | undefined;
  afterEach(async () => backend?.stop());

  it("restart Django, which reports serving again from a new process", async () => {
    const copy = copyOfDjangoProject();
    const reloading = await startReloading(copy);
    backend = reloading.backend;
    const { starts, nextStart } = reloading;
    await nextStart("the first start");
    const views = path.join(copy, "example_app", "views.py");
    await keepSaving(views, `${readFileSync(views, "utf8")}\n# edited by the dev-loop test\n`, nextStart("the restart after a Python edit"));
    expect(starts).toHaveLength(2);
    expect(starts[1]!.pid).not.toBe(starts[0]!.pid);
  });

  it("survive a typo in models.py: the error is shown, the watcher keeps running, the fix brings Django back", async () => {
    const copy = copyOfDjangoProject();
    const reloading = await startReloading(copy);
    backend = reloading.backend;
    const { lines, starts, nextStart } = reloading;
    await nextStart("the first start");

    const models = path.join(copy, "example_app", "models.py");
    const working = readFileSync(models, "utf8");
    await keepSaving(models, `${working}\nclass Broken(models.Model):\n    name = models.CharFeld(max_length=10)\n`, nextStart("the start with the typo"));
    expect(starts[1]!.error).toMatch(/AttributeError: .*CharFeld/);
    expect(lines).toContain("desktop_serve: fix it and save the file; the server restarts by itself.");
    expect(lines.some((line) => line.includes(`models.py", line`))).toBe(true);
    // The page shows the error, /health/ says it is not healthy, and the whole process group is alive.
    const page = await fetch(backend.url);
    expect(page.status).toBe(500);
    expect(await page.text()).toContain("CharFeld");
    expect((await fetch(new URL("health/", backend.url))).status).toBe(503);
    if (process.platform !== "win32") expect(() => process.kill(-backend!.child.pid!, 0)).not.toThrow();
    expect(backend.child.exitCode).toBeNull();

    await keepSaving(models, working, nextStart("the start after the fix"));
    expect(starts[2]!.error).toBeUndefined();
    const health = await fetch(new URL("health/", backend.url));
    expect([health.status, await health.text()]).toEqual([200, '{"status": "ok"}']);
  });
});
