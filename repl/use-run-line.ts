/**
 * Running one line: plain text asks the pipeline, `:command …` runs a command, `:quit` leaves. The job
 * gets the trace events (live trace panel) and the model's tokens (live answer); its result, or its
 * error as one `CODE: message` line, goes into the transcript, and the status line is read again.
 */
import { useCallback } from "react";
import type { CommandResult } from "../lib/commands/types.js";
import type { TraceEvent } from "../lib/pipeline/types.js";
import type { Entry } from "./answer.js";
import type { useJob } from "./use-job.js";
import type { WorkbenchView } from "./use-workbench.js";

export interface RunLineOptions {
  view: WorkbenchView;
  run: ReturnType<typeof useJob>["run"];
  addEntry: (entry: Omit<Entry, "id">) => void;
  /** A trace event of the running turn (the live trace panel, then the caller's `onTrace`). */
  onTraceEvent: (event: TraceEvent) => void;
  /** The model's text as it streams, and the end of it. */
  stream: { append: (piece: string) => void; reset: () => void };
  quit: () => void;
}

export function useRunLine({ view, run, addEntry, onTraceEvent, stream, quit }: RunLineOptions) {
  const { bench, library, refresh, setTurnState } = view;
  return useCallback(
    async (text: string): Promise<void> => {
      if (!bench || !library) return;
      let parsed: ReturnType<typeof library.parseCommand>;
      try {
        parsed = library.parseCommand(text);
      } catch (error) {
        addEntry({ line: text, error: library.errorLine(error) });
        return;
      }
      if (parsed.name === "quit") {
        quit();
        return;
      }
      const before = bench.store.path;
      try {
        const result: CommandResult = await run(text, (options) =>
          library.runCommand(bench, parsed, { ...options, onTrace: onTraceEvent, onToken: stream.append }),
        );
        addEntry({ line: text, result });
        if (result.kind === "ask") {
          const { metrics, voice, phase, mode, delta } = result.turn;
          setTurnState({ metrics, voice, phase, mode, delta });
        }
      } catch (error) {
        addEntry({ line: text, error: library.errorLine(error) });
      } finally {
        // The formatted answer (or the error) is in the transcript now: it replaces the live text.
        stream.reset();
      }
      await refresh(bench.store.path !== before).catch((error: unknown) =>
        addEntry({ line: "", error: library.errorLine(error) }),
      );
    },
    [bench, library, refresh, setTurnState, addEntry, run, onTraceEvent, stream, quit],
  );
}
