/**
 * The input line: a prompt, the text with its cursor, and — after an ambiguous Tab — the completions that
 * fit. Keys go to the line editor (`use-line-editor.ts`: history on ↑/↓, Tab completion, Ctrl-A/E/U/K/W).
 */
import { Box, Text, useInput } from "ink";
import type { LineEditor } from "./use-line-editor.js";

export interface InputLineProps {
  editor: LineEditor;
  /** False while a job runs: keys go to the job (Ctrl-C), not the line. */
  active: boolean;
  /** Shown dimmed while the line is empty. */
  hint?: string;
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

export function InputLine({ editor, active, hint }: InputLineProps) {
  useInput(editor.handle, { isActive: active });
  const { value, cursor, choices } = editor.state;
  const before = value.slice(0, cursor);
  const at = value[cursor] ?? " ";
  const after = value.slice(cursor + 1);
  return (
    <Box flexDirection="column">
      <Box>
        <Text color={active ? "green" : "gray"} bold>
          ›{" "}
        </Text>
        {value === "" && hint ? (
          <Text>
            {active ? <Text inverse>{hint[0]}</Text> : hint[0]}
            <Text dimColor>{hint.slice(1)}</Text>
          </Text>
        ) : (
          <Text>
            {before}
            {active ? <Text inverse>{at}</Text> : at}
            {after}
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
