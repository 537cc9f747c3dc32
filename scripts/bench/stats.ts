/**
 * The arithmetic behind `npm run bench`: medians, and how sure a ratio of two
 * medians is. Cold starts on a busy laptop scatter by tens of milliseconds, so
 * a ratio from nine runs can land on either side of a target by chance. The
 * bench prints each ratio with a bootstrap interval and only calls a target
 * met or missed when the whole interval is on one side of it.
 */

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A small seeded generator (mulberry32), so the same runs always print the same interval. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** A new array with the items in a random order (Fisher-Yates), so the variants of a round do not always run in the same order. */
export function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(Math.random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}

export interface RatioInterval {
  /** median(numerator) / median(denominator) */
  ratio: number;
  low: number;
  high: number;
}

function resample(values: readonly number[], random: () => number): number[] {
  return values.map(() => values[Math.floor(random() * values.length)]!);
}

/** Indices 0..length-1 drawn with replacement. */
function resampleIndices(length: number, random: () => number): number[] {
  return Array.from({ length }, () => Math.floor(random() * length));
}

/**
 * The ratio of two medians with a percentile bootstrap interval: the runs are
 * resampled with replacement `resamples` times, and the middle `confidence`
 * share of the resampled ratios is the interval.
 *
 * `paired`: run i of the numerator and run i of the denominator belong
 * together (the bench's rounds start every variant once, so a busy moment of
 * the machine slows both), and each resample draws whole rounds. Drawing the
 * two lists independently would count that shared slowness twice and widen the
 * interval for nothing. The ratio itself is the same either way.
 */
export function ratioInterval(
  numerator: readonly number[],
  denominator: readonly number[],
  {
    resamples = 2000,
    confidence = 0.95,
    random = seededRandom(1),
    paired = false,
  }: { resamples?: number; confidence?: number; random?: () => number; paired?: boolean } = {},
): RatioInterval {
  if (paired && numerator.length !== denominator.length) {
    throw new Error(`paired runs need as many numerator runs as denominator runs (${numerator.length} and ${denominator.length})`);
  }
  const once = (): number => {
    if (!paired) return median(resample(numerator, random)) / median(resample(denominator, random));
    const rounds = resampleIndices(numerator.length, random);
    return median(rounds.map((round) => numerator[round]!)) / median(rounds.map((round) => denominator[round]!));
  };
  const ratios = Array.from({ length: resamples }, once);
  ratios.sort((a, b) => a - b);
  const tail = (1 - confidence) / 2;
  const at = (share: number) => ratios[Math.min(ratios.length - 1, Math.max(0, Math.round(share * (ratios.length - 1))))]!;
  return { ratio: median(numerator) / median(denominator), low: at(tail), high: at(1 - tail) };
}

export type Verdict = "met" | "missed" | "unclear";

/** Met or missed only when the whole interval is on one side of the target. */
export function judge(interval: RatioInterval, target: { atMost: number } | { atLeast: number }): Verdict {
  if ("atMost" in target) {
    if (interval.high <= target.atMost) return "met";
    return interval.low > target.atMost ? "missed" : "unclear";
  }
  if (interval.low >= target.atLeast) return "met";
  return interval.high < target.atLeast ? "missed" : "unclear";
}

export function formatRatio({ ratio, low, high }: RatioInterval): string {
  return `${ratio.toFixed(2)}x (${low.toFixed(2)}-${high.toFixed(2)})`;
}
