/**
 * One entry of the transcript: the line as typed, then what came back — the pipeline's formatted answer
 * (I-Loop line, sections, citations, ∆DΩΛ) with its parts coloured, another command's result as text, or
 * an error as one red `CODE: message` line.
 */
import { Box, Text } from "ink";
import { metricsLine, resultLines } from "../lib/commands/text.js";
import type { CommandResult } from "../lib/commands/types.js";

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
          <AnswerText text={result.turn.answer} />
          <Text dimColor>
            {metricsLine(result.turn.metrics)} · voice {result.turn.voice} · phase {result.turn.phase} · mode{" "}
            {result.turn.mode} · turn {result.turn.turn}
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
