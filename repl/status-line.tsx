/** The status line: which store is open, how big it is, which embedder, answerer and session are in use. */

import { Box, Text } from "ink";
import { memo } from "react";
import { shortPath } from "../lib/commands/text.js";

export interface Status {
  path: string;
  count: number;
  embedder: string;
  /** Who writes the answers: the model's file name, or `offline`. */
  answerer: string;
  session: string;
  indexKind: string;
}

export const StatusLine = memo(function StatusLine({ status }: { status?: Status }) {
  return (
    <Box>
      <Text wrap="truncate-end">
        <Text bold color="cyan">
          SIGLA
        </Text>
        {status ? (
          <>
            <Text dimColor> store </Text>
            <Text>{shortPath(status.path)}</Text>
            <Text dimColor> · </Text>
            <Text>{status.count} capsules</Text>
            {/* Before index and embedder: at 80 columns the line is cut from the end. */}
            <Text dimColor> · answers </Text>
            <Text color="magenta">{status.answerer}</Text>
            <Text dimColor> · index </Text>
            <Text>{status.indexKind}</Text>
            <Text dimColor> · embedder </Text>
            <Text color="yellow">{status.embedder}</Text>
            <Text dimColor> · session </Text>
            <Text>{status.session}</Text>
          </>
        ) : null}
      </Text>
    </Box>
  );
});
