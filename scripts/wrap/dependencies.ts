/**
 * What desktop/requirements-desktop.txt holds: the project's full resolved set
 * of runtime packages, pinned, without what only a hosted deployment needs.
 *
 * - The top-level requirements come from requirements.txt (its `-r` includes
 *   followed; index, trusted-host and editable lines dropped, since they break
 *   installs on a machine with another index) or pyproject.toml's [project]
 *   dependencies.
 * - Server-only packages are left out, each with its reason: web servers and
 *   process managers (desktop_serve runs waitress, the shell supervises),
 *   database-server drivers (the app uses SQLite), cloud storage SDKs the
 *   settings do not use. `--keep <package>` puts one back.
 * - The pins come from uv.lock when there is one (its graph walked from the
 *   project's runtime dependencies, dev groups left out), else from what the
 *   project's virtualenv has installed for them, else the lines as declared.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseToml } from "smol-toml";

/** PEP 503's normalized name. */
export const normalizedName = (name: string) => name.toLowerCase().replace(/[-_.]+/g, "-");

export interface Requirement {
  /** The line as the project declares it. */
  line: string;
  /** Normalized name; undefined for lines that are not a named requirement (a URL). */
  name?: string;
  where: string;
}

export interface LeftOut extends Requirement {
  reason: string;
}

const INDEX_OPTION = /^\s*(-i\b|--index-url\b|--extra-index-url\b|--trusted-host\b|-f\b|--find-links\b|--no-index\b|-e\b|--editable\b)/;

/** requirements.txt's requirement lines, its `-r`/`--requirement` includes followed, without index options or editable installs. */
export function requirementsFileLines(root: string, file: string, seen = new Set<string>()): { requirements: Requirement[]; dropped: string[] } {
  const full = path.resolve(root, file);
  if (seen.has(full) || !existsSync(full)) return { requirements: [], dropped: [] };
  seen.add(full);
  const requirements: Requirement[] = [];
  const dropped: string[] = [];
  const lines = readFileSync(full, "utf8").split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (!line) return;
    const include = /^(?:-r|--requirement)[\s=]+(\S+)/.exec(line);
    if (include) {
      const nested = requirementsFileLines(root, path.join(path.dirname(full), include[1]!), seen);
      requirements.push(...nested.requirements);
      dropped.push(...nested.dropped);
      return;
    }
    if (INDEX_OPTION.test(line) || line.startsWith("-")) {
      dropped.push(line);
      return;
    }
    const name = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line)?.[1];
    requirements.push({ line, name: name ? normalizedName(name) : undefined, where: `${path.relative(root, full).split(path.sep).join("/")}:${index + 1}` });
  });
  return { requirements, dropped };
}

/** Packages a desktop app does not ship, by normalized name, with why; `module` is what a project imports when it uses one. */
const SERVER_ONLY: Array<{ names: RegExp; reason: string; module?: RegExp }> = [
  { names: /^(uwsgi|pyuwsgi|gunicorn|daphne|uvicorn|hypercorn|mod-wsgi|granian)$/, reason: "a web server for hosted deployments (desktop_serve runs Django on waitress)" },
  { names: /^(supervisor|circus|honcho)$/, reason: "a process manager for servers (the desktop shell supervises Django and its workers)" },
  {
    names: /^(psycopg|psycopg2|psycopg2-binary|psycopg-binary|psycopg-c|psycopg-pool|mysqlclient|pymysql|cx-oracle|oracledb|pyodbc|mssql-django|asyncpg)$/,
    reason: "a database-server driver (the desktop app uses SQLite)",
    module: /^\s*(?:from|import)\s+(psycopg2?|MySQLdb|pymysql|cx_Oracle|oracledb|pyodbc|asyncpg)\b/m,
  },
  {
    names: /^(boto3|botocore|s3transfer|django-storages|google-cloud-storage|azure-storage-blob|azure-identity)$/,
    reason: "a cloud storage SDK the desktop settings do not use (uploads go to the app-data folder)",
    module: /\b(boto3|storages\.backends|google\.cloud|azure\.storage)\b/,
  },
];

/**
 * Splits the top-level requirements into those the desktop keeps and those it
 * leaves out. `projectText` is the project's Python (settings and code): a
 * driver or SDK it imports is kept. `keep` is --keep's names.
 */
export function leaveOutServerOnly(requirements: Requirement[], projectText: string, keep: string[]): { kept: Requirement[]; leftOut: LeftOut[] } {
  const keepNames = new Set(keep.map(normalizedName));
  const kept: Requirement[] = [];
  const leftOut: LeftOut[] = [];
  for (const requirement of requirements) {
    const rule = requirement.name ? SERVER_ONLY.find((candidate) => candidate.names.test(requirement.name!)) : undefined;
    if (rule && !keepNames.has(requirement.name!) && !(rule.module && rule.module.test(projectText))) leftOut.push({ ...requirement, reason: rule.reason });
    else kept.push(requirement);
  }
  return { kept, leftOut };
}

interface LockPackage {
  name: string;
  version?: string;
  source?: Record<string, string>;
  dependencies?: LockEdge[];
  "optional-dependencies"?: Record<string, LockEdge[]>;
}
interface LockEdge {
  name: string;
  version?: string;
  extra?: string[];
  marker?: string;
}

/** The resolved set: pinned lines, and what could not be pinned (with why). */
export interface Resolved {
  source: "uv.lock" | "virtualenv" | "declared";
  lines: string[];
  notes: string[];
}

const combine = (a: string, b: string) => (!a ? b : !b ? a : `(${a}) and (${b})`);

/** uv.lock's packages reached from the project's runtime dependencies (`roots`, normalized names), pinned, with the markers of the paths that reach them. */
export function resolveFromUvLock(lockText: string, projectName: string | undefined, roots: Set<string>): Resolved {
  const lock = parseToml(lockText) as { package?: LockPackage[] };
  const packages = lock.package ?? [];
  const byName = new Map<string, LockPackage[]>();
  for (const entry of packages) byName.set(normalizedName(entry.name), [...(byName.get(normalizedName(entry.name)) ?? []), entry]);
  const pick = (name: string, version?: string) => {
    const found = byName.get(normalizedName(name)) ?? [];
    return found.find((entry) => !version || entry.version === version) ?? found.at(-1);
  };
  const project =
    packages.find((entry) => entry.source && (entry.source.virtual === "." || entry.source.editable === ".")) ?? (projectName ? pick(projectName) : undefined);
  const markers = new Map<string, Set<string>>();
  const notes: string[] = [];
  const queue: Array<{ edge: LockEdge; marker: string }> = (project?.dependencies ?? []).filter((edge) => roots.has(normalizedName(edge.name))).map((edge) => ({ edge, marker: edge.marker ?? "" }));
  while (queue.length) {
    const { edge, marker } = queue.shift()!;
    const target = pick(edge.name, edge.version);
    if (!target) {
      notes.push(`${edge.name} is not in uv.lock`);
      continue;
    }
    const key = `${normalizedName(target.name)}==${target.version}`;
    const seen = markers.get(key) ?? new Set<string>();
    if (seen.has("") || seen.has(marker)) continue;
    // Too many paths to say precisely: install it everywhere.
    const recorded = seen.size >= 4 ? "" : marker;
    markers.set(key, recorded ? seen.add(recorded) : new Set([""]));
    const next = [...(target.dependencies ?? []), ...(edge.extra ?? []).flatMap((extra) => target["optional-dependencies"]?.[extra] ?? [])];
    for (const child of next) queue.push({ edge: child, marker: combine(recorded, child.marker ?? "") });
  }
  const lines = [...markers.entries()]
    .map(([key, found]) => {
      const [name, version] = key.split("==") as [string, string];
      const entry = pick(name, version)!;
      if (entry.source && !entry.source.registry) {
        notes.push(`${entry.name} comes from ${Object.entries(entry.source).map(([kind, where]) => `${kind} ${where}`).join(", ")}, not from a package index: add it by hand`);
        return undefined;
      }
      const marker = found.has("") ? "" : [...found].map((one) => (found.size > 1 ? `(${one})` : one)).join(" or ");
      return `${entry.name}==${entry.version}${marker ? ` ; ${marker}` : ""}`;
    })
    .filter((line): line is string => Boolean(line))
    .sort((a, b) => a.localeCompare(b));
  return { source: "uv.lock", lines, notes };
}

/** Run with the project's virtualenv Python: its installed distributions reached from the requirements in argv[1] (JSON). */
const WALK_INSTALLED = String.raw`
import json, sys
import importlib.metadata as metadata
try:
    from packaging.requirements import Requirement
except ImportError:
    from pip._vendor.packaging.requirements import Requirement
pins, conditional, missing = {}, {}, []
stack = [(Requirement(line), line) for line in json.loads(sys.argv[1])]
while stack:
    requirement, declared = stack.pop()
    key = requirement.name.lower().replace("_", "-").replace(".", "-")
    try:
        dist = metadata.distribution(requirement.name)
    except metadata.PackageNotFoundError:
        missing.append(declared)
        continue
    extras = set(requirement.extras)
    known = pins.get(key)
    if known and extras <= known["extras"]:
        continue
    pins[key] = {"name": dist.metadata["Name"], "version": dist.version, "extras": extras | (known["extras"] if known else set())}
    for text in dist.requires or []:
        child = Requirement(text)
        if child.marker and not any(child.marker.evaluate({"extra": extra}) for extra in (extras or {""})):
            if "extra" not in str(child.marker):
                conditional.setdefault(child.name.lower(), text)
            continue
        stack.append((child, text))
print(json.dumps({"pins": {key: [pin["name"], pin["version"]] for key, pin in pins.items()}, "conditional": conditional, "missing": missing}))
`;

/** The requirements' installed versions in the virtualenv `python`, with their dependencies; undefined when it cannot tell. */
export function resolveFromVirtualenv(python: string, requirements: Requirement[]): Resolved | undefined {
  const named = requirements.filter((requirement) => requirement.name);
  const walked = spawnSync(python, ["-c", WALK_INSTALLED, JSON.stringify(named.map((requirement) => requirement.line))], { encoding: "utf8" });
  if (walked.status !== 0) return undefined;
  const found = JSON.parse(walked.stdout) as { pins: Record<string, [string, string]>; conditional: Record<string, string>; missing: string[] };
  const markerOf = new Map(named.map((requirement) => [requirement.name!, /;(.*)$/.exec(requirement.line)?.[1]?.trim()]));
  const lines = Object.entries(found.pins).map(([key, [name, version]]) => {
    const marker = markerOf.get(normalizedName(key));
    return `${name}==${version}${marker ? ` ; ${marker}` : ""}`;
  });
  const pinned = new Set(Object.keys(found.pins).map(normalizedName));
  for (const [name, text] of Object.entries(found.conditional)) if (!pinned.has(normalizedName(name))) lines.push(text.replace(/\s*;\s*/, " ; "));
  // Declared but not installed here (often a marker for another platform): kept as declared.
  lines.push(...found.missing.filter((line) => !pinned.has(normalizedName(/^[A-Za-z0-9._-]+/.exec(line)?.[0] ?? ""))));
  const notes = found.missing.length ? [`not installed in the virtualenv, so listed as declared: ${found.missing.join(", ")}`] : [];
  return { source: "virtualenv", lines: [...new Set(lines)].sort((a, b) => a.localeCompare(b)), notes };
}

/** The platforms a desktop app ships, as wheel platform tags match them. */
const PLATFORMS: Array<{ name: string; tag: RegExp }> = [
  { name: "macOS arm64", tag: /^macosx_\d+_\d+_(arm64|universal2)$/ },
  { name: "macOS x86_64", tag: /^macosx_\d+_\d+_(x86_64|universal2|intel|universal)$/ },
  { name: "Windows x64", tag: /^win_amd64$/ },
  { name: "Linux x86_64", tag: /^(manylinux\w*_x86_64|manylinux1_x86_64|manylinux2010_x86_64|manylinux2014_x86_64)$/ },
];

/**
 * The platforms a release's files give no wheel for, for CPython `pythonVersion`
 * ("3.12"): empty when a pure-Python wheel exists or every platform has one.
 */
export function platformsWithoutWheels(filenames: string[], pythonVersion: string): string[] {
  const minor = Number(pythonVersion.split(".")[1]);
  const wheels = filenames
    .filter((file) => file.endsWith(".whl"))
    .map((file) => file.slice(0, -4).split("-"))
    .filter((parts) => parts.length >= 5)
    .map((parts) => ({ python: parts.at(-3)!.split("."), abi: parts.at(-2)!.split("."), platform: parts.at(-1)!.split(".") }));
  const fitsPython = (wheel: (typeof wheels)[number]) =>
    wheel.python.some((tag) => {
      if (/^py3\d*$/.test(tag) || tag === "py2.py3") return true;
      const cp = /^cp3(\d+)$/.exec(tag);
      if (!cp) return false;
      return Number(cp[1]) === minor || (wheel.abi.includes("abi3") && Number(cp[1]) <= minor);
    });
  const usable = wheels.filter(fitsPython);
  if (usable.some((wheel) => wheel.platform.includes("any"))) return [];
  return PLATFORMS.filter((platform) => !usable.some((wheel) => wheel.platform.some((tag) => platform.tag.test(tag)))).map((platform) => platform.name);
}

/** A pinned package PyPI has no wheel for on some platforms; `sourceOnly` when it has no wheel at all (pip builds one, fine when it is pure Python). */
export interface WheelGap {
  line: string;
  missing: string[];
  sourceOnly: boolean;
}

/**
 * For each pinned `name==version` line, the platforms PyPI has no wheel for
 * (its JSON API); lines it could not ask about are in `unchecked`.
 */
export async function checkWheels(lines: string[], pythonVersion: string, fetchJson: (url: string) => Promise<unknown> = defaultFetchJson): Promise<{ gaps: WheelGap[]; unchecked: string[] }> {
  const pinned = lines.map((line) => ({ line, match: /^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;]+)/.exec(line) }));
  const gaps: WheelGap[] = [];
  const unchecked: string[] = [];
  let next = 0;
  const work = async () => {
    while (next < pinned.length) {
      const { line, match } = pinned[next++]!;
      if (!match) {
        unchecked.push(line);
        continue;
      }
      try {
        // The project's JSON (every release's files): some mirrors do not serve the per-version URL.
        const project = (await fetchJson(`https://pypi.org/pypi/${encodeURIComponent(match[1]!)}/json`)) as { releases?: Record<string, Array<{ filename: string }>> };
        const files = project.releases?.[match[2]!];
        if (!files) {
          unchecked.push(line);
          continue;
        }
        const missing = platformsWithoutWheels(files.map((file) => file.filename), pythonVersion);
        if (missing.length) gaps.push({ line, missing, sourceOnly: !files.some((file) => file.filename.endsWith(".whl")) });
      } catch {
        unchecked.push(line);
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, work));
  return { gaps: gaps.sort((a, b) => a.line.localeCompare(b.line)), unchecked };
}

async function defaultFetchJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}
