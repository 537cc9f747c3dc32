/**
 * `npm run check:chapters`: every file a step does not declare as changed must
 * be byte-identical to the previous step's copy.
 */
import { checkConsistency, steps } from "./chapters.ts";

const problems = checkConsistency();
if (problems.length) {
  console.error(`The chapter series is inconsistent:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
  console.error('Either restore the file from the previous step or add it to that step\'s chapter.json "changes".');
  process.exit(1);
}
console.log(`Chapter series consistent: ${steps().join(" -> ")}`);
