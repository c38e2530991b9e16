/**
 * One entry of the transcript: the line as typed, then what came back — the pipeline's formatted answer
 * (I-Loop line, sections, citations with their provenance, ∆DΩΛ) with its parts coloured and a mark when
 * the model was stopped, another command's result as text, or an error as one red `CODE: message` line.
 * Also the live panel of the model's text while it writes.
 */
import { Box, Text } from "ink";
import { answeredBy, answerText, metricsLine, PARTIAL_NOTE, resultLines } from "../lib/commands/text.js";
import type { CommandResult } from "../lib/commands/types.js";
import { tailLines } from "./use-stream.js";

/** A transcript entry. */
export interface Entry {
  id: number;
  /** What was typed (empty for messages of the REPL itself). */
  line: string;
  result?: CommandResult;
  /** `CODE: message`. */
  error?: string;
  /** A message of the REPL itself (start-up, cancellation). */
  notice?: string;
}

/** Colour of one line of a formatted answer. */
function answerLineColor(line: string): { color?: string; bold?: boolean; dim?: boolean } {
  if (line.startsWith("I-Loop:")) return { color: "magenta" };
  if (line.startsWith("## ")) return { color: "cyan", bold: true };
  if (line === "∆DΩΛ" || line === "\u2206DΩΛ") return { color: "yellow", bold: true };
  if (/^[ΔDΩΛ]: /.test(line)) return { color: "yellow" };
  if (line.startsWith("- [evidence_id:")) return { dim: true };
  return {};
}

function AnswerText({ text }: { text: string }) {
  return (
    <Box flexDirection="column">
      {text.split("\n").map((line, i) => {
        const style = answerLineColor(line);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines of one immutable answer.
          <Text key={i} color={style.color} bold={style.bold} dimColor={style.dim}>
            {line === "" ? " " : line}
          </Text>
        );
      })}
    </Box>
  );
}

export function Answer({ entry }: { entry: Entry }) {
  const { result } = entry;
  return (
    <Box flexDirection="column" marginBottom={1}>
      {entry.line ? (
        <Text>
          <Text color="green" bold>
            ›{" "}
          </Text>
          <Text bold>{entry.line}</Text>
        </Text>
      ) : null}
      {entry.notice ? <Text color="cyan">{entry.notice}</Text> : null}
      {entry.error ? <Text color="red">{entry.error}</Text> : null}
      {result?.kind === "ask" ? (
        <>
          <AnswerText text={answerText(result.turn)} />
          {result.turn.partial ? (
            <Text color="yellow" bold>
              {PARTIAL_NOTE} (Ctrl-C)
            </Text>
          ) : null}
          <Text dimColor>
            {metricsLine(result.turn.metrics)} · voice {result.turn.voice} · phase {result.turn.phase} · mode{" "}
            {result.turn.mode} · turn {result.turn.turn} · {answeredBy(result.turn.by)}
          </Text>
        </>
      ) : result ? (
        <Box flexDirection="column">
          {resultLines(result).map((line, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: lines of one immutable result.
            <Text key={i}>{line === "" ? " " : line}</Text>
          ))}
        </Box>
      ) : null}
    </Box>
  );
}

/** The model's answer as it is written: the last `rows` lines, in a box as wide as the screen. */
export function LiveAnswer({
  text,
  title,
  width,
  rows = 6,
}: {
  text: string;
  title: string;
  width: number;
  rows?: number;
}) {
  // Border and padding take four columns.
  const lines = tailLines(text, Math.max(10, width - 4), rows);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="magenta" paddingX={1} width={width}>
      <Text bold color="magenta" wrap="truncate-end">
        {title}
      </Text>
      {lines.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the tail of a text redrawn whole each time.
        <Text key={i}>{line === "" ? " " : line}</Text>
      ))}
    </Box>
  );
}
