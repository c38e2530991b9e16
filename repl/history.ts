/**
 * The REPL's persistent input history: one line per entry in `$SIGLA_HOME/history`, newest last, kept to
 * the last {@link HISTORY_MAX} entries. Reading a missing file gives an empty history; a failed write
 * loses only that entry, never the session.
 */
import { appendFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { config } from "../lib/config.js";

/** Entries kept. */
export const HISTORY_MAX = 1000;

/** `$SIGLA_HOME/history`. */
export function historyFile(): string {
  return join(config().home, "history");
}

/** The saved entries, oldest first (at most {@link HISTORY_MAX}). */
export async function loadHistory(file: string): Promise<string[]> {
  try {
    const lines = (await readFile(file, "utf8")).split("\n").filter((line) => line.trim() !== "");
    return lines.slice(-HISTORY_MAX);
  } catch {
    return [];
  }
}

/**
 * Appends one entry (multi-line input is stored on one line). The file is rewritten to its last
 * {@link HISTORY_MAX} entries once it holds twice that many, so it never grows without bound.
 */
export async function appendHistory(
  file: string,
  line: string,
  known: readonly string[] = [],
): Promise<void> {
  const entry = line.replace(/\s*\n\s*/g, " ").trim();
  if (entry === "") return;
  try {
    await mkdir(dirname(file), { recursive: true });
    if (known.length + 1 >= HISTORY_MAX * 2) {
      await writeFile(file, `${[...known, entry].slice(-HISTORY_MAX).join("\n")}\n`);
    } else {
      await appendFile(file, `${entry}\n`);
    }
  } catch {
    // History is a convenience: a read-only home must not stop the REPL.
  }
}

/**
 * Walks the history with ↑ and ↓ the way shells do: ↑ from the live line goes to the newest entry, ↓ past
 * the newest returns the line that was being typed.
 */
export class HistoryCursor {
  private index: number;
  private draft = "";

  constructor(private readonly entries: readonly string[]) {
    this.index = entries.length;
  }

  /** The older entry (or the oldest, when already there); `current` is kept as the draft when leaving it. */
  up(current: string): string {
    if (this.entries.length === 0) return current;
    if (this.index === this.entries.length) this.draft = current;
    this.index = Math.max(0, this.index - 1);
    return this.entries[this.index];
  }

  /** The newer entry, or the draft once past the newest. */
  down(current: string): string {
    if (this.index >= this.entries.length) return current;
    this.index++;
    return this.index === this.entries.length ? this.draft : this.entries[this.index];
  }
}
