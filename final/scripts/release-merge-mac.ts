/**
 * `npm run release:merge-mac -- <output> <latest-mac.yml> <latest-mac.yml>...`
 * writes one latest-mac.yml that lists the files of every macOS build
 * (scripts/macUpdateInfo.ts says why). Relative paths mean the folder the
 * command was typed in.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { mergeMacUpdateInfo } from "./macUpdateInfo";
import { npmRun } from "../src/paths";

if (process.argv.includes("--help")) {
  console.log(`Usage: ${npmRun("release:merge-mac")} -- <output> <latest-mac.yml> <latest-mac.yml>...`);
  process.exit(0);
}
const [output, ...inputs] = process.argv.slice(2).map((file) => path.resolve(process.env.INIT_CWD ?? process.cwd(), file));
if (!output || inputs.length === 0) {
  console.error(`Usage: ${npmRun("release:merge-mac")} -- <output> <latest-mac.yml> <latest-mac.yml>...`);
  process.exit(2);
}
try {
  const merged = mergeMacUpdateInfo(inputs.map((file) => ({ name: file, text: readFileSync(file, "utf8") })));
  writeFileSync(output, merged);
  console.log(`Wrote ${output} from ${inputs.length} macOS builds:\n${merged}`);
} catch (error) {
  console.error(`Could not merge the macOS update metadata: ${(error as Error).message}`);
  process.exit(1);
}
