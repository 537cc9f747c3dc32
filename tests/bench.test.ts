import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compressedSize } from "../scripts/bench/downloadSize.ts";
import { healthyPath, spread } from "../scripts/bench/firstPaint.ts";
import { formatRatio, judge, median, ratioInterval, seededRandom, shuffled } from "../scripts/bench/stats.ts";

describe("median", () => {
  it("takes the middle value of an odd count and the mean of the two middle values of an even count", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("does not reorder the caller's list", () => {
    const runs = [3, 1, 2];
    median(runs);
    expect(runs).toEqual([3, 1, 2]);
  });

  it("refuses an empty list instead of returning NaN", () => {
    expect(() => median([])).toThrow(/no values/);
  });
});

describe("shuffled", () => {
  it("returns every item once, leaves the caller's list alone, and does not always keep the first item first", () => {
    const items = ["shell", "alone", "windowless"] as const;
    const firsts = new Set<string>();
    for (let round = 0; round < 200; round += 1) {
      const order = shuffled(items);
      expect([...order].sort()).toEqual([...items].sort());
      firsts.add(order[0]!);
    }
    expect(items).toEqual(["shell", "alone", "windowless"]);
    expect(firsts.size).toBe(3);
  });
});

describe("seededRandom", () => {
  it("repeats for the same seed, stays in [0, 1) and differs between seeds", () => {
    const draws = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 1000 }, () => random());
    };
    const first = draws(7);
    const again = draws(7);
    const other = draws(8);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(Math.min(...first)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...first)).toBeLessThan(1);
    // Roughly uniform: each tenth of [0, 1) gets about a tenth of the draws.
    const tenths = Array.from({ length: 10 }, (_, tenth) => first.filter((value) => Math.floor(value * 10) === tenth).length);
    for (const count of tenths) expect(count).toBeGreaterThan(60);
  });
});

describe("ratioInterval", () => {
  it("is a single point when every run took the same time", () => {
    expect(ratioInterval([500, 500, 500], [200, 200, 200])).toEqual({ ratio: 2.5, low: 2.5, high: 2.5 });
  });

  it("is the ratio of the medians, with an interval around it that the spread of the runs decides", () => {
    const twoProcess = [520, 540, 530, 610, 525, 535, 515, 700, 528];
    const ours = [205, 212, 208, 230, 209, 211, 204, 260, 207];
    const interval = ratioInterval(twoProcess, ours);
    expect(interval.ratio).toBeCloseTo(530 / 209, 10);
    expect(interval.low).toBeLessThan(interval.ratio);
    expect(interval.high).toBeGreaterThan(interval.ratio);
    // Bounded by the most extreme ratio any resample could give.
    expect(interval.low).toBeGreaterThanOrEqual(515 / 260);
    expect(interval.high).toBeLessThanOrEqual(700 / 204);
  });

  it("narrows as the same spread is seen over more runs", () => {
    const random = seededRandom(3);
    const noisy = (centre: number, count: number) => Array.from({ length: count }, () => centre * (0.85 + 0.3 * random()));
    const few = ratioInterval(noisy(530, 5), noisy(210, 5));
    const many = ratioInterval(noisy(530, 60), noisy(210, 60));
    expect(many.high - many.low).toBeLessThan(few.high - few.low);
  });

  it("paired: draws whole rounds, so slowness both variants of a round share does not widen the interval", () => {
    // Each round's machine state slows both variants alike (from 0.8x to 1.5x); ours is 1.03x the floor in every round.
    const random = seededRandom(7);
    const load = Array.from({ length: 40 }, () => 0.8 + 0.7 * random());
    const floor = load.map((factor) => 400 * factor);
    const ours = floor.map((time, round) => time * 1.03 * (1 + (round % 3) * 0.005));
    const unpaired = ratioInterval(ours, floor);
    const paired = ratioInterval(ours, floor, { paired: true });
    expect(paired.ratio).toBe(unpaired.ratio);
    expect(paired.low).toBeGreaterThan(1.025);
    expect(paired.high).toBeLessThan(1.045);
    expect(unpaired.high - unpaired.low).toBeGreaterThan(10 * (paired.high - paired.low));
  });

  it("paired: refuses lists of different lengths, which cannot be rounds", () => {
    expect(() => ratioInterval([1, 2, 3], [1, 2], { paired: true })).toThrow(/paired runs need as many numerator runs as denominator runs \(3 and 2\)/);
  });

  it("gives the same interval for the same runs, so a report can be reprinted", () => {
    const a = [1, 2, 3, 4, 5];
    const b = [2, 3, 4, 5, 6];
    expect(ratioInterval(a, b)).toEqual(ratioInterval(a, b));
  });
});

describe("judge", () => {
  const interval = (low: number, high: number) => ({ ratio: (low + high) / 2, low, high });

  it("calls an upper target met only when the whole interval is at or under it", () => {
    expect(judge(interval(1.01, 1.12), { atMost: 1.2 })).toBe("met");
    expect(judge(interval(1.1, 1.3), { atMost: 1.2 })).toBe("unclear");
    expect(judge(interval(1.25, 1.4), { atMost: 1.2 })).toBe("missed");
  });

  it("calls a lower target met only when the whole interval is at or over it", () => {
    expect(judge(interval(3, 3.4), { atLeast: 3 })).toBe("met");
    expect(judge(interval(2.7, 3.1), { atLeast: 3 })).toBe("unclear");
    expect(judge(interval(2.4, 2.7), { atLeast: 3 })).toBe("missed");
  });
});

describe("formatRatio", () => {
  it("prints the ratio with its interval to two decimals", () => {
    expect(formatRatio({ ratio: 2.5432, low: 2.41, high: 2.679 })).toBe("2.54x (2.41-2.68)");
  });
});

describe("healthyPath", () => {
  const event = (name: string, at: number, data: Record<string, unknown> = {}) => ({ name, at, data });
  const manage = ["/app/django/manage.py"];
  const events = [
    event("host-started", 1000),
    event("spawn", 1111, { pid: 7, args: [...manage, "desktop_serve", "--reload"], before: 1110, spawnMs: 1 }),
    event("health-poll", 1500, { started: 1400, status: null }),
    event("serving-line", 1600, { pid: 7 }),
    event("health-poll", 1620, { started: 1601, status: 503 }),
    event("health-poll", 1700, { started: 1680, status: 200 }),
    event("spawn", 1701, { pid: 8, args: [...manage, "run_routines"], before: 1701, spawnMs: 0 }),
  ];

  it("splits main.js start to the first 200 into before the spawn, Python's start and the readiness poll", () => {
    const path = healthyPath(events, 1000, 2000);
    expect(path).toMatchObject({ toSpawn: 110, spawnCall: 1, backupCopy: false, spawnToServing: 490, servingToHealthy: 100, polls: 3, pollWait: 80, pollRequest: 20, healthyToLoadUrl: 300, workerAfterHealthy: 1 });
    expect(path.healthyAt).toBe(1700);
    // The three steps add up to main.js start to Django healthy.
    expect(path.toSpawn + path.spawnToServing + path.servingToHealthy).toBe(path.healthyAt - 1000);
  });

  it("notices the Python that copies the database before Django starts", () => {
    const withBackup = [event("spawn", 1050, { pid: 6, args: ["-I", "-c", "import sqlite3"], before: 1050, spawnMs: 1 }), ...events];
    expect(healthyPath(withBackup, 1000, 2000).backupCopy).toBe(true);
  });

  it("refuses a launch whose events show no whole start", () => {
    expect(() => healthyPath(events.slice(0, 3), 1000, 2000)).toThrow(/no SERVING line or no 200/);
    expect(() => healthyPath([], 1000, 2000)).toThrow(/never spawned desktop_serve/);
  });
});

describe("spread", () => {
  it("prints the median and the range, and n/a when a sample could not be measured", () => {
    expect(spread([30, 10, 20])).toBe("20 (10-30)");
    expect(spread([30, undefined])).toBe("n/a");
  });
});

describe("compressedSize", () => {
  it("shrinks text far more than random bytes, and gives the same size whatever order the files were written in", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "dds-download-size-"));
    try {
      const source = "def handler(request):\n    return render(request, 'page.html', {'items': items})\n".repeat(2000);
      const noise = randomBytes(64_000);
      const write = (dir: string, order: Array<[string, string | Buffer]>) => {
        for (const [name, content] of order) {
          mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
          writeFileSync(path.join(dir, name), content);
        }
      };
      const files: Array<[string, string | Buffer]> = [["lib/views.py", source], ["lib/sub/_native.so", noise], ["a.txt", source]];
      write(path.join(root, "one"), files);
      write(path.join(root, "two"), [...files].reverse());
      const one = await compressedSize(path.join(root, "one"));
      expect(one).toBe(await compressedSize(path.join(root, "two")));
      // The random part barely shrinks; the two text files almost vanish.
      expect(one).toBeGreaterThan(noise.length * 0.99);
      expect(one).toBeLessThan(noise.length + 2 * source.length * 0.02);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
