/**
 * For the end-to-end tests: a program in a real terminal — a tmux pane of a given size on a private tmux
 * server — driven as a person would (text with `send-keys -l`, keys one call each), read back as the
 * screen shows it (`capture-pane`), and, when asked, with every byte the program wrote kept in a file
 * (`pipe-pane`) to count what it sent to the terminal.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { waitFor } from "./test-helpers.js";

/** Whether tmux can be run here. */
export const hasTmux = spawnSync("tmux", ["-V"]).status === 0;

/** What to run and in how large a terminal. */
export interface TmuxStart {
  command: string;
  columns: number;
  rows: number;
  env?: Record<string, string>;
  /** Keep the program's raw output in this file. */
  rawFile?: string;
}

export class TmuxSession {
  private readonly socket: string;
  private readonly target = "main";
  private rawFile?: string;

  constructor(name: string) {
    this.socket = `sigla-${name}-${process.pid}`;
  }

  private tmux(...args: string[]): string {
    const run = spawnSync("tmux", ["-L", this.socket, ...args], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`tmux ${args[0]} failed: ${run.stderr}`);
    return run.stdout;
  }

  start({ command, columns, rows, env = {}, rawFile }: TmuxStart): void {
    const envArgs = Object.entries(env).flatMap(([key, value]) => ["-e", `${key}=${value}`]);
    // The pane starts with a shell waiting on a key, so the raw output is piped before the program runs.
    this.tmux(
      "new-session",
      "-d",
      "-s",
      this.target,
      "-x",
      String(columns),
      "-y",
      String(rows),
      ...envArgs,
      `read -r _; ${command}`,
    );
    if (rawFile) {
      writeFileSync(rawFile, "");
      this.rawFile = rawFile;
      this.tmux("pipe-pane", "-o", "-t", this.target, `cat >> '${rawFile}'`);
    }
    this.press("Enter");
  }

  /** The visible screen, or with `scrollback` lines of history above it. */
  screen(scrollback = 0): string {
    const range = scrollback > 0 ? ["-S", String(-scrollback)] : [];
    return this.tmux("capture-pane", "-p", "-t", this.target, ...range);
  }

  /** Types text as is (no key names). */
  type(text: string): void {
    this.tmux("send-keys", "-t", this.target, "-l", text);
  }

  /** Presses one key by its tmux name (`Enter`, `C-c`). */
  press(key: string): void {
    this.tmux("send-keys", "-t", this.target, key);
  }

  resize(columns: number, rows: number): void {
    this.tmux("resize-window", "-t", this.target, "-x", String(columns), "-y", String(rows));
  }

  /** Everything the program wrote so far (with `rawFile`). */
  raw(): Buffer {
    if (!this.rawFile) throw new Error("the session keeps no raw output");
    return readFileSync(this.rawFile);
  }

  /**
   * Waits until the screen (with `scrollback` lines of history) matches and returns it; the error shows
   * the last screen seen.
   */
  async see(pattern: RegExp, what: string, timeoutMs = 20_000, scrollback = 0): Promise<string> {
    let last = "";
    try {
      await waitFor(
        () => {
          last = this.screen(scrollback);
          return pattern.test(last);
        },
        what,
        timeoutMs,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- screen ---\n${last}`);
    }
    return last;
  }

  kill(): void {
    spawnSync("tmux", ["-L", this.socket, "kill-server"]);
  }
}

/** How often `needle` occurs in `haystack`. */
export function occurrences(haystack: Buffer | string, needle: string): number {
  const text = typeof haystack === "string" ? haystack : haystack.toString("utf8");
  let count = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}

/** Escape sequences that wipe the whole screen (ED 2), the scrollback (ED 3) or reset the terminal (RIS). */
export const FULL_CLEARS = ["\u001b[2J", "\u001b[3J", "\u001bc"] as const;
