/** The input history: loaded from its file once, each submitted line appended to it. */
import { useCallback, useEffect, useState } from "react";
import { appendHistory, HISTORY_MAX, loadHistory } from "./history.js";

export function useHistory(file: string | undefined) {
  const [entries, setEntries] = useState<string[]>([]);

  useEffect(() => {
    if (!file) return;
    let live = true;
    void loadHistory(file).then((loaded) => live && setEntries(loaded));
    return () => {
      live = false;
    };
  }, [file]);

  /** Appends a line (not repeating the newest one) to the list and the file. */
  const add = useCallback(
    (line: string) => {
      const entry = line.trim();
      if (entry === "") return;
      setEntries((current) => {
        if (current[current.length - 1] === entry) return current;
        if (file) void appendHistory(file, entry, current);
        return [...current, entry].slice(-HISTORY_MAX);
      });
    },
    [file],
  );

  return { entries, add };
}
