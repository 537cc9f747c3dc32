/**
 * CPU time and start time of processes, from Linux's /proc/<pid>/stat. On a
 * loaded machine wall time says little; the CPU a process used does not
 * depend on how long it waited for a core. Elsewhere every reading is
 * undefined and the bench says it could not count.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Linux's USER_HZ: /proc counts CPU and start times in ticks of 10 ms on every architecture Node runs on. */
const TICK_MS = 10;

interface Stat {
  ppid: number;
  /** User and system CPU of the process itself. */
  cpuMs: number;
  /** Plus the CPU of its children that have exited and been waited for. */
  cpuWithChildrenMs: number;
  /** Start time, in ms since boot (10 ms steps). */
  startMs: number;
}

export function readStat(pid: number): Stat | undefined {
  try {
    // The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ")".
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((index) => Number(fields[index]));
    return {
      ppid: Number(fields[1]),
      cpuMs: (utime! + stime!) * TICK_MS,
      cpuWithChildrenMs: (utime! + stime! + cutime! + cstime!) * TICK_MS,
      startMs: Number(fields[19]) * TICK_MS,
    };
  } catch {
    return undefined;
  }
}

/** CPU used so far by a process and every live process below it (and the exited ones they waited for). */
export function treeCpuMs(root: number): number | undefined {
  if (process.platform !== "linux") return undefined;
  const stats = new Map<number, Stat>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) stats.set(Number(name), stat);
  }
  if (!stats.has(root)) return undefined;
  let total = 0;
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    total += stats.get(pid)!.cpuWithChildrenMs;
    for (const [child, stat] of stats) if (stat.ppid === pid) queue.push(child);
  }
  return total;
}
