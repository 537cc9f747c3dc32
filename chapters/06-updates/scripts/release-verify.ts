/**
 * `npm run release:verify -w <workspace> -- <file> <SHA256SUMS>`:
 * checks an installer against the release's checksum list before anyone runs it.
 */
import path from "node:path";
import { verifyFile } from "./releaseChecksums";
import { workspace } from "../electron-builder.config";

// npm runs workspace scripts inside the workspace; INIT_CWD is where the command was typed.
const invokedFrom = process.env.INIT_CWD ?? process.cwd();
if (process.argv.includes("--help")) {
  console.log(`Usage: npm run release:verify -w ${workspace} -- <installer or archive> <SHA256SUMS>`);
  process.exit(0);
}
const [fileArgument, checksumsArgument] = process.argv.slice(2);
if (!fileArgument || !checksumsArgument) {
  console.error(`Usage: npm run release:verify -w ${workspace} -- <installer or archive> <SHA256SUMS>`);
  process.exit(2);
}
verifyFile(path.resolve(invokedFrom, fileArgument), path.resolve(invokedFrom, checksumsArgument)).then(
  (entry) => console.log(`OK: ${entry.fileName} matches its SHA256SUMS entry (${entry.sha256}): it is the file the release published.`),
  (error: Error) => {
    console.error(`FAILED: ${error.message}`);
    process.exit(1);
  },
);
