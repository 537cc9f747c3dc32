/**
 * `npm run chapter:diff -- <a> <b>`: the increment between two steps, first a
 * per-file summary (file, status, +added, -removed), then the unified diff,
 * e.g. `npm run chapter:diff -- 02-health-and-port 03-token` or
 * `npm run chapter:diff -- 06 final`.
 */
import { chapterDiff, diffSummary, splitUnifiedDiff, steps } from "./chapters.ts";

const USAGE = `Usage: npm run chapter:diff -- <from> <to>

Prints the diff between two steps of the series, e.g. \`npm run chapter:diff -- 02 03\`
or \`npm run chapter:diff -- 06 final\`; a step is named by its folder or its number.`;
if (process.argv.includes("--help")) {
  console.log(USAGE);
  process.exit(0);
}

const [from, to] = process.argv.slice(2);
if (!from || !to) {
  console.error(`usage: npm run chapter:diff -- <from> <to>\nsteps: ${steps().join(", ")}`);
  process.exit(2);
}
try {
  const diff = chapterDiff(from, to);
  process.stdout.write(`${diffSummary(splitUnifiedDiff(diff), from, to)}\n${diff}`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
