/**
 * Which CPython the wrapped app bundles. The pinned python-build-standalone
 * release (final/scripts/pythonRelease.ts) carries several; the project says
 * which it needs in `requires-python` (pyproject.toml), `.python-version`
 * (pyenv, uv) or `runtime.txt` (Heroku-style hosts), and its virtualenv shows
 * which one it runs on. The wrap picks a version every one of them accepts, or
 * refuses with one paragraph when none does.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { PYTHON_VERSIONS } from "../../final/scripts/pythonRelease.ts";

type Version = [number, number, number];

export interface PythonChoice {
  /** The minor version for the facts: "3.12", "3.13". */
  pythonVersion: string;
  /** What the project said, each with its file: shown in the dry run and WRAP.md. */
  reasons: string[];
}

const parse = (text: string): Version => {
  const [major = 0, minor = 0, patch = 0] = text.split(".").map((part) => Number.parseInt(part, 10) || 0);
  return [major, minor, patch];
};
const compare = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** Whether `version` ("3.13.12") satisfies one PEP 440 specifier set (">=3.11,<3.14", "~=3.12", "==3.13.*"; Poetry's "^3.12" too). */
export function satisfies(version: string, specifiers: string): boolean {
  const actual = parse(version);
  return specifiers
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .every((specifier) => {
      const match = /^(~=|===|==|!=|<=|>=|<|>|\^|~)?\s*v?([\d.]+)(\.\*)?$/.exec(specifier);
      if (!match) return true;
      const [, operator = "==", text, wildcard] = match;
      const wanted = parse(text!);
      const parts = text!.split(".").length;
      const prefixEqual = () => actual.slice(0, parts).every((value, index) => value === wanted[index]);
      switch (operator) {
        case "==":
        case "===":
          return wildcard || parts < 3 ? prefixEqual() : compare(actual, wanted) === 0;
        case "!=":
          return wildcard || parts < 3 ? !prefixEqual() : compare(actual, wanted) !== 0;
        case ">=":
          return compare(actual, wanted) >= 0;
        case ">":
          return compare(actual, wanted) > 0;
        case "<=":
          return compare(actual, wanted) <= 0;
        case "<":
          return compare(actual, wanted) < 0;
        case "~=": {
          // ~=3.12 means >=3.12,<4; ~=3.12.1 means >=3.12.1,<3.13.
          const upper: Version = parts >= 3 ? [wanted[0], wanted[1] + 1, 0] : [wanted[0] + 1, 0, 0];
          return compare(actual, wanted) >= 0 && compare(actual, upper) < 0;
        }
        case "^":
          return compare(actual, wanted) >= 0 && actual[0] === wanted[0];
        case "~":
          return compare(actual, wanted) >= 0 && actual[0] === wanted[0] && actual[1] === wanted[1];
        default:
          return true;
      }
    });
}

function firstLine(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  return readFileSync(file, "utf8")
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, "").trim())
    .find(Boolean);
}

/**
 * The bundled Python for the project at `root`. `requiresPython` is pyproject's
 * [project] requires-python; `venv` the virtualenv folder found beside manage.py.
 * Throws an Error whose message is the refusal when no bundled version fits.
 */
export function choosePython(root: string, requiresPython: string | undefined, venv: string | undefined): PythonChoice {
  const available = Object.entries(PYTHON_VERSIONS);
  const reasons: string[] = [];
  const wanted: Array<{ why: string; minor: string }> = [];
  const pinned = (file: string, pattern: RegExp) => {
    const line = firstLine(path.join(root, file));
    const minor = line ? pattern.exec(line)?.slice(1, 3).join(".") : undefined;
    if (line && minor) {
      reasons.push(`${file} says ${line}`);
      wanted.push({ why: `${file} (${line})`, minor });
    }
  };
  pinned(".python-version", /^(?:cpython-|python-?)?(\d+)\.(\d+)/i);
  pinned("runtime.txt", /^python-(\d+)\.(\d+)/i);
  if (requiresPython) reasons.push(`pyproject.toml's requires-python is ${requiresPython}`);
  const venvVersion = venv ? /^version(?:_info)?\s*=\s*(\d+)\.(\d+)/m.exec(readFileSync(path.join(root, venv, "pyvenv.cfg"), "utf8")) : undefined;
  const fits = available.filter(
    ([minor, full]) => (!requiresPython || satisfies(full, requiresPython)) && wanted.every((pin) => pin.minor === minor),
  );
  if (!fits.length) {
    const said = reasons.join("; ");
    throw new Error(
      `The project needs a Python the bundled runtime does not carry: ${said}. The pinned python-build-standalone release carries ` +
        `${available.map(([, full]) => full).join(" and ")} (final/scripts/pythonRelease.ts). Make the project run on one of those, ` +
        "say so in requires-python, .python-version or runtime.txt, and run the wrap again.",
    );
  }
  // A pin wins; else the virtualenv's own version when it fits; else the oldest that fits (the starter's default, 3.12).
  const fromVenv = venvVersion ? fits.find(([minor]) => minor === `${venvVersion[1]}.${venvVersion[2]}`) : undefined;
  if (fromVenv && !wanted.length) reasons.push(`its virtualenv (${venv}) runs Python ${fromVenv[0]}`);
  const [pythonVersion] = fromVenv ?? fits[0]!;
  return { pythonVersion, reasons };
}
