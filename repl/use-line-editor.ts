/**
 * The state of the input line: text, cursor, history walk and Tab completion. It lives in a ref, not in
 * React state, because Ink delivers every key of a burst (text pasted or typed by a script, then Enter)
 * before React re-renders: a handler reading state would see the line as it was before the burst and
 * submit or complete a stale line. Each change bumps a counter to redraw.
 */
import type { Key } from "ink";
import { useCallback, useRef, useState } from "react";
import type { Completion } from "../lib/commands/complete.js";
import { HistoryCursor } from "./history.js";
import { loadLibrary } from "./use-library.js";

export interface LineState {
  value: string;
  /** 0..value.length */
  cursor: number;
  /** Completions listed under the line after an ambiguous Tab. */
  choices: string[];
}

export interface LineEditorOptions {
  onSubmit: (line: string) => void;
  /** Saved lines, oldest first. */
  history: readonly string[];
  complete?: (line: string) => Promise<Completion>;
}

/** What the input line component draws and feeds keys to. */
export interface LineEditor {
  state: LineState;
  /** Applies one key event (as Ink's `useInput` reports it). */
  handle: (input: string, key: Key) => void;
  clear: () => void;
  /** The line as it is now (also between renders). */
  current: () => LineState;
}

/** Start of the word before `cursor` (for Ctrl-W). */
function wordStart(value: string, cursor: number): number {
  let i = cursor;
  while (i > 0 && /\s/.test(value[i - 1])) i--;
  while (i > 0 && !/\s/.test(value[i - 1])) i--;
  return i;
}

export function useLineEditor({ onSubmit, history, complete }: LineEditorOptions): LineEditor {
  const line = useRef<LineState>({ value: "", cursor: 0, choices: [] });
  const [, redraw] = useState(0);
  const latest = useRef({ onSubmit, complete });
  latest.current = { onSubmit, complete };
  const walk = useRef<{ entries: readonly string[]; cursor: HistoryCursor }>({
    entries: history,
    cursor: new HistoryCursor(history),
  });
  if (walk.current.entries !== history)
    walk.current = { entries: history, cursor: new HistoryCursor(history) };

  const set = useCallback((value: string, cursor = value.length, choices: string[] = []) => {
    line.current = { value, cursor: Math.max(0, Math.min(value.length, cursor)), choices };
    redraw((n) => n + 1);
  }, []);

  const insert = useCallback(
    (text: string) => {
      const { value, cursor } = line.current;
      set(value.slice(0, cursor) + text + value.slice(cursor), cursor + text.length);
    },
    [set],
  );

  const submit = useCallback(() => {
    const { value } = line.current;
    walk.current.cursor = new HistoryCursor(walk.current.entries);
    set("");
    latest.current.onSubmit(value);
  }, [set]);

  const handle = useCallback(
    (input: string, key: Key) => {
      const { value, cursor } = line.current;
      if (key.ctrl && input === "c") return;
      if (key.return) return submit();
      if (key.upArrow) return set(walk.current.cursor.up(value));
      if (key.downArrow) return set(walk.current.cursor.down(value));
      if (key.leftArrow) return set(value, cursor - 1);
      if (key.rightArrow) return set(value, cursor + 1);
      if (key.home || (key.ctrl && input === "a")) return set(value, 0);
      if (key.end || (key.ctrl && input === "e")) return set(value, value.length);
      if (key.ctrl && input === "u") return set(value.slice(cursor), 0);
      if (key.ctrl && input === "k") return set(value.slice(0, cursor), cursor);
      if (key.ctrl && input === "w") {
        const start = wordStart(value, cursor);
        return set(value.slice(0, start) + value.slice(cursor), start);
      }
      if (key.backspace || key.delete) {
        if (cursor === 0) return;
        return set(value.slice(0, cursor - 1) + value.slice(cursor), cursor - 1);
      }
      if (key.tab) {
        const { complete: completeLine } = latest.current;
        if (!completeLine) return;
        const asked = value;
        void Promise.all([completeLine(asked), loadLibrary()]).then(([completion, { applyCompletion }]) => {
          // Typing went on while completion ran: its answer is for another line.
          if (line.current.value !== asked) return;
          const next = applyCompletion(asked, completion);
          set(next, next.length, completion.candidates.length > 1 ? completion.candidates : []);
        });
        return;
      }
      if (key.ctrl || key.meta || key.escape || input === "") return;
      // A burst can carry text and Enter in one event ("question\r"): each line break submits.
      const parts = input.split(/\r\n|\r|\n/);
      parts.forEach((part, i) => {
        if (part) insert(part.replace(/\t/g, " "));
        if (i < parts.length - 1) submit();
      });
    },
    [insert, set, submit],
  );

  const clear = useCallback(() => set(""), [set]);
  const current = useCallback(() => line.current, []);
  // A new object per render, so the line component redraws; the functions in it stay the same.
  return { state: line.current, handle, clear, current };
}
