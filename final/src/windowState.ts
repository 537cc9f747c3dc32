/**
 * Remembers the main window's size and position between launches, in a small
 * JSON file in the app-data folder. A position that is no longer on any
 * screen (a monitor was unplugged) is dropped, so the window keeps its size
 * and the system places it.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_STATE: WindowState = { width: 1100, height: 760, maximized: false };
const MIN_SIZE = { width: 480, height: 360 };

const isNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

/** Reads the saved state; a missing or damaged file gives the default. */
export function loadWindowState(file: string): WindowState {
  let saved: Partial<WindowState>;
  try {
    saved = JSON.parse(readFileSync(file, "utf8")) as Partial<WindowState>;
  } catch {
    return { ...DEFAULT_STATE };
  }
  if (!isNumber(saved.width) || !isNumber(saved.height)) return { ...DEFAULT_STATE };
  const state: WindowState = {
    width: Math.max(MIN_SIZE.width, Math.round(saved.width)),
    height: Math.max(MIN_SIZE.height, Math.round(saved.height)),
    maximized: saved.maximized === true,
  };
  if (isNumber(saved.x) && isNumber(saved.y)) Object.assign(state, { x: Math.round(saved.x), y: Math.round(saved.y) });
  return state;
}

/** Writes the state atomically, so a crash mid-write never leaves half a file. */
export function saveWindowState(file: string, state: WindowState): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, JSON.stringify(state, null, 2));
  renameSync(temporary, file);
}

/** Keeps the saved position only if the window's title bar would be on one of the screens' work areas. */
export function placeOnScreen(state: WindowState, workAreas: Area[]): WindowState {
  if (state.x === undefined || state.y === undefined) return state;
  const { x, y } = state;
  const titleBarVisible = workAreas.some(
    (area) => x + state.width > area.x + 40 && x < area.x + area.width - 40 && y >= area.y && y < area.y + area.height - 40,
  );
  return titleBarVisible ? state : { width: state.width, height: state.height, maximized: state.maximized };
}
