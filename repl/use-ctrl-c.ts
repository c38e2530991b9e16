/**
 * What Ctrl-C does, the first that applies: cancels the sample ingest while the start-up seeds the store;
 * cancels the running job (and drops the lines queued behind it); drops the queued lines; clears a typed
 * line; at an empty prompt, arms quitting — a second Ctrl-C within {@link QUIT_WINDOW_MS} quits (after a
 * failed start, the first one does).
 */
import { useInput } from "ink";
import { useRef, useState } from "react";

/** How long a first Ctrl-C at an empty prompt waits for the second. */
export const QUIT_WINDOW_MS = 3000;

export interface CtrlCActions {
  /** Each returns whether it did something (and so used up the key). */
  cancelStartup: () => boolean;
  cancelJob: () => boolean;
  dropQueue: () => boolean;
  clearLine: () => boolean;
  /** The start-up failed: nothing is left to do but leave. */
  failed: boolean;
  quit: () => void;
}

/** Handles Ctrl-C; returns whether quitting is armed (the hint line then says so). */
export function useCtrlC(actions: CtrlCActions): boolean {
  const [quitArmed, setQuitArmed] = useState(false);
  // Read by the key handler: the state can lag behind a second Ctrl-C that arrives before the handler
  // subscribed after the re-render (the hint is already on screen, the closure still says "not armed").
  const quitArmedNow = useRef(false);

  useInput((input, key) => {
    if (!(key.ctrl && input === "c")) return;
    if (actions.cancelStartup()) return;
    if (actions.cancelJob()) {
      actions.dropQueue();
      return;
    }
    if (actions.dropQueue() || actions.clearLine()) return;
    if (quitArmedNow.current || actions.failed) {
      actions.quit();
      return;
    }
    quitArmedNow.current = true;
    setQuitArmed(true);
    setTimeout(() => {
      quitArmedNow.current = false;
      setQuitArmed(false);
    }, QUIT_WINDOW_MS);
  });

  return quitArmed;
}
