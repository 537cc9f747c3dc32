/**
 * `npm run check:chapters`: every file a step does not declare as changed must
 * be byte-identical to the previous step's copy.
 *
 * `npm run check:chapters -- --sync` first copies those files down the series
 * (02 from 01, 03 from 02, ... final from 06): run it after editing a chapter.
 */
import { checkConsistency, steps, syncFromPrevious } from "./chapters.ts";

const USAGE = `Usage: npm run check:chapters [-- --sync]

Fails when a file a step does not list in its chapter.json differs from the
previous step's copy.

  --sync   first copy those files down the series (02 from 01, ... final from 06)
  --help   print this`;
if (process.argv.includes("--help")) {
  console.log(USAGE);
  process.exit(0);
}

if (process.argv.includes("--sync")) {
  for (const step of steps().slice(1)) {
    for (const file of syncFromPrevious(step)) console.log(`synced ${step}/${file}`);
  }
}
const problems = checkConsistency();
if (problems.length) {
  console.error(`The chapter series is inconsistent:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
  console.error('Either restore the file from the previous step (npm run check:chapters -- --sync) or add it to that step\'s chapter.json "changes".');
  process.exit(1);
}
console.log(`Chapter series consistent: ${steps().join(" -> ")}`);
