/**
 * The prompt: the line editor (Enter queues the line, ↑/↓ history, Tab completes — tags after `--tags` read
 * only when asked for) and Ctrl-C (cancel the job, drop the queue, clear the line, or quit when pressed
 * twice at an empty prompt).
 */
import { useCallback } from "react";
import type { Entry } from "./answer.js";
import { useCtrlC } from "./use-ctrl-c.js";
import type { useHistory } from "./use-history.js";
import { loadLibrary } from "./use-library.js";
import { useLineEditor } from "./use-line-editor.js";
import type { LineQueue } from "./use-line-queue.js";
import type { useWorkbench } from "./use-workbench.js";

/** What the prompt works with: the open workbench, the history, the queue and the app's callbacks. */
export interface PromptOptions {
  view: ReturnType<typeof useWorkbench>;
  history: ReturnType<typeof useHistory>;
  queue: LineQueue;
  cancelJob: () => boolean;
  addEntry: (entry: Omit<Entry, "id">) => void;
  quit: () => void;
}

/** The line editor and the Ctrl-C state (`quitArmed`: one more Ctrl-C quits). */
export function usePrompt({ view, history, queue, cancelJob, addEntry, quit }: PromptOptions) {
  const { startup, bench, library } = view;
  // Tags are read when a completion after --tags asks for them, not after every command.
  const completeLine = useCallback(
    async (line: string) => {
      const { complete } = library ?? (await loadLibrary());
      return complete(line, { tags: () => bench?.tags() ?? [] });
    },
    [bench, library],
  );
  const editor = useLineEditor({
    onSubmit: (line) => {
      const text = line.trim();
      if (text === "") return;
      history.add(text);
      queue.add(text);
    },
    history: history.entries,
    complete: completeLine,
  });

  const quitArmed = useCtrlC({
    cancelStartup: startup.cancel,
    cancelJob,
    // The dropped lines stay in the history.
    dropQueue: () => {
      const dropped = queue.drop().length;
      if (dropped > 0)
        addEntry({
          line: "",
          notice: `Dropped ${dropped === 1 ? "1 queued line" : `${dropped} queued lines`} (↑ recalls them).`,
        });
      return dropped > 0;
    },
    clearLine: () => {
      if (editor.current().value === "") return false;
      editor.clear();
      return true;
    },
    failed: Boolean(view.failed),
    quit,
  });

  return { editor, quitArmed };
}
