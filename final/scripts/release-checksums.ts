/**
 * `npm run release:checksums -- <folder>`: writes
 * `<folder>/SHA256SUMS` for every file in a release folder.
 */
import path from "node:path";
import { CHECKSUMS_FILE, writeChecksums } from "./releaseChecksums";
import { npmRun } from "../src/paths";

// npm runs workspace scripts inside the workspace; INIT_CWD is where the command was typed.
const invokedFrom = process.env.INIT_CWD ?? process.cwd();
if (process.argv.includes("--help")) {
  console.log(`Usage: ${npmRun("release:checksums")} -- <release folder>`);
  process.exit(0);
}
const [folderArgument] = process.argv.slice(2);
if (!folderArgument) {
  console.error(`Usage: ${npmRun("release:checksums")} -- <release folder>`);
  process.exit(2);
}
const folder = path.resolve(invokedFrom, folderArgument);
writeChecksums(folder).then(
  (entries) => console.log(`Wrote ${path.join(folder, CHECKSUMS_FILE)} for ${entries.length} ${entries.length === 1 ? "file" : "files"}.`),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
