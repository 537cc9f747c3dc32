import { _electron as electron, expect, test } from "@playwright/test";
import { chapterDir, djangoWindow, electronBinary, SKIP_REASON } from "./support";

const binary = electronBinary();
test.skip(!binary, SKIP_REASON);

test("the window shows the pony list served by Django", async () => {
  const app = await electron.launch({ executablePath: binary!, args: [chapterDir] });
  const window = await djangoWindow(app);
  await expect(window.getByRole("heading", { name: "My Ponies" })).toBeVisible({ timeout: 30_000 });
  await app.close();
});
