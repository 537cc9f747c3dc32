import { _electron as electron, expect, test } from "@playwright/test";
import { chapterDir, djangoWindow, electronBinary, SKIP_REASON } from "./support";

const binary = electronBinary();
test.skip(!binary, SKIP_REASON);

test("Help > Check for Updates… explains in development that updates need the packaged app", async () => {
  const app = await electron.launch({ executablePath: binary!, args: [chapterDir] });
  await djangoWindow(app);
  // A native message box would wait for a click no test can make: record what it would show instead.
  const shown = await app.evaluate(async ({ dialog, Menu }) => {
    const messages: string[] = [];
    dialog.showMessageBox = (async (...args: unknown[]) => {
      const options = args.at(-1) as { message: string };
      messages.push(options.message);
      return { response: 0, checkboxChecked: false };
    }) as typeof dialog.showMessageBox;
    const help = Menu.getApplicationMenu()?.items.find((item) => item.role === "help");
    const check = help?.submenu?.items.find((item) => item.label === "Check for Updates…");
    if (!check) return [`no Check for Updates… item in ${help?.submenu?.items.map((item) => item.label).join(", ")}`];
    check.click();
    for (let tries = 0; tries < 50 && messages.length === 0; tries += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    return messages;
  });
  expect(shown).toEqual(["Updates work in the packaged app only."]);
  await app.close();
});
