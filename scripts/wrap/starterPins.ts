/**
 * The starter's own pins, from django/requirements.txt: the versions
 * desktop_runtime is tested with. The inspection compares a project's Django
 * with them; the desktop requirements add waitress and WhiteNoise at them.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const starterRequirements = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "django", "requirements.txt");

/** The pinned line for `name` in the starter's django/requirements.txt: the versions desktop_runtime is tested with. */
export function starterPin(name: string, requirements = readFileSync(starterRequirements, "utf8")): string {
  const line = requirements.split("\n").find((candidate) => candidate.toLowerCase().startsWith(`${name.toLowerCase()}==`));
  if (!line) throw new Error(`django/requirements.txt pins no ${name}: the wrap needs its version for desktop/requirements-desktop.txt.`);
  return line.trim();
}
