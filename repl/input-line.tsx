/**
 * The input line: a prompt, the text with its cursor, and — after an ambiguous Tab — the completions that
 * fit. Keys go to the line editor (`use-line-editor.ts`: history on ↑/↓, Tab completion, Ctrl-A/E/U/K/W).
 * It is always one row: a line longer than the terminal scrolls sideways around the cursor (`…` marks the
 * cut ends), so it never pushes the screen's live region past the terminal's height.
 */
import { Box, Text, useInput } from "ink";
import type { LineEditor } from "./use-line-editor.js";

export interface InputLineProps {
  editor: LineEditor;
  /** False while a job runs: keys go to the job (Ctrl-C), not the line. */
  active: boolean;
  /** Shown dimmed while the line is empty. */
  hint?: string;
  /** Columns for the prompt and the text (default: no limit). */
  width?: number;
}

/** Completions listed at most. */
const SHOWN = 12;

/** A completion as listed: the last path part (with its `/` for folders), or the whole word. */
function shown(choice: string): string {
  const folder = choice.endsWith("/");
  const base = choice.slice(0, folder ? -1 : undefined);
  const cut = base.lastIndexOf("/");
  return cut >= 0 ? `${base.slice(cut + 1)}${folder ? "/" : ""}` : choice;
}

/** The part of `value` shown in `width` columns: the cursor stays in view, `…` marks each cut end. */
export function visibleSlice(
  value: string,
  cursor: number,
  width: number,
): { text: string; cursor: number; cutStart: boolean; cutEnd: boolean } {
  // One column for the cursor after the last character.
  if (value.length + 1 <= width) return { text: value, cursor, cutStart: false, cutEnd: false };
  const room = Math.max(1, width - 2);
  const start = Math.max(0, Math.min(cursor - Math.floor(room / 2), value.length - room));
  const end = Math.min(value.length, start + room);
  return {
    text: value.slice(start, end),
    cursor: cursor - start,
    cutStart: start > 0,
    cutEnd: end < value.length,
  };
}

export function InputLine({ editor, active, hint, width = Number.POSITIVE_INFINITY }: InputLineProps) {
  useInput(editor.handle, { isActive: active });
  const { value, choices } = editor.state;
  // The prompt takes two columns.
  const shownPart = visibleSlice(value, editor.state.cursor, width - 2);
  const { text, cursor } = shownPart;
  const before = text.slice(0, cursor);
  const at = text[cursor] ?? " ";
  const after = text.slice(cursor + 1);
  return (
    <Box flexDirection="column">
      <Box>
        <Text color={active ? "green" : "gray"} bold>
          ›{" "}
        </Text>
        {value === "" && hint ? (
          <Text wrap="truncate-end">
            {active ? <Text inverse>{hint[0]}</Text> : hint[0]}
            <Text dimColor>{hint.slice(1)}</Text>
          </Text>
        ) : (
          <Text wrap="truncate-end">
            {shownPart.cutStart ? <Text dimColor>…</Text> : null}
            {before}
            {active ? <Text inverse>{at}</Text> : at}
            {after}
            {shownPart.cutEnd ? <Text dimColor>…</Text> : null}
          </Text>
        )}
      </Box>
      {choices.length > 0 ? (
        <Text dimColor wrap="truncate-end">
          {choices.slice(0, SHOWN).map(shown).join("  ")}
          {choices.length > SHOWN ? `  … ${choices.length - SHOWN} more` : ""}
        </Text>
      ) : null}
    </Box>
  );
}
