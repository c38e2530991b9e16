/**
 * One long job at a time: each gets its own AbortController, progress lands in state, and `cancel` aborts
 * it (Ctrl-C). The library guarantees that an aborted job writes nothing half-done.
 */
import { useCallback, useRef, useState } from "react";
import type { CommandOptions, JobProgress } from "../lib/commands/types.js";
import { CancelledError } from "../lib/errors.js";

/** The job in flight. */
export interface Job {
  line: string;
  progress?: JobProgress;
  /** Ctrl-C was pressed; the job stops at its next check. */
  cancelling: boolean;
}

export function useJob() {
  const [job, setJob] = useState<Job | undefined>();
  const controller = useRef<AbortController | undefined>(undefined);

  /** Runs `work` as the current job; resolves or rejects with its outcome once it has stopped. */
  const run = useCallback(
    async <T>(
      line: string,
      work: (options: Required<Pick<CommandOptions, "signal" | "onProgress">>) => Promise<T>,
    ) => {
      const abort = new AbortController();
      controller.current = abort;
      setJob({ line, cancelling: false });
      try {
        return await work({
          signal: abort.signal,
          onProgress: (progress) => setJob((current) => current && { ...current, progress }),
        });
      } finally {
        controller.current = undefined;
        setJob(undefined);
      }
    },
    [],
  );

  /** Aborts the running job; returns false when none runs. */
  const cancel = useCallback((): boolean => {
    const abort = controller.current;
    if (!abort) return false;
    abort.abort(new CancelledError(job?.line ?? "job"));
    setJob((current) => current && { ...current, cancelling: true });
    return true;
  }, [job?.line]);

  return { job, run, cancel };
}
