/**
 * The status line: which store is open, how big it is, which embedder, answerer, attached modules and
 * session are in use.
 * Before the store is open it says what the start-up is doing (`opening store …`): the prompt under it
 * already takes keys. No spinner there: each of its frames redraws the screen, and while the store opens
 * the CPU is better spent opening it.
 */

import { Box, Text } from "ink";
import { memo } from "react";

export interface Status {
  /** The store's folder as shown (the home folder as `~`, the working folder left out). */
  path: string;
  count: number;
  embedder: string;
  /** Who writes the answers: the model's file name, or `offline`. */
  answerer: string;
  session: string;
  indexKind: string;
  /** Ids of the attached `.capsulemod` modules. */
  modules: string[];
}

export interface StatusLineProps {
  status?: Status;
  /** What the start-up is doing while there is no status yet (`opening store …`). */
  pending?: string;
  /** The start-up failed: `CODE: message`, in red. */
  error?: string;
}

export const StatusLine = memo(function StatusLine({ status, pending, error }: StatusLineProps) {
  return (
    <Box>
      <Text wrap="truncate-end">
        <Text bold color="cyan">
          SIGLA
        </Text>
        {status ? (
          <>
            <Text dimColor> store </Text>
            <Text>{status.path}</Text>
            <Text dimColor> · </Text>
            <Text>{status.count} capsules</Text>
            {/* Before index and embedder: at 80 columns the line is cut from the end. */}
            <Text dimColor> · answers </Text>
            <Text color="magenta">{status.answerer}</Text>
            {status.modules.length > 0 ? (
              <>
                <Text dimColor> + </Text>
                <Text color="green">{status.modules.join(", ")}</Text>
              </>
            ) : null}
            <Text dimColor> · index </Text>
            <Text>{status.indexKind}</Text>
            <Text dimColor> · embedder </Text>
            <Text color="yellow">{status.embedder}</Text>
            <Text dimColor> · session </Text>
            <Text>{status.session}</Text>
          </>
        ) : error ? (
          <Text color="red"> {error}</Text>
        ) : pending ? (
          <Text dimColor> {pending}…</Text>
        ) : null}
      </Text>
    </Box>
  );
});
