/** The status line: which store is open, how big it is, which embedder and session are in use. */

import { homedir } from "node:os";
import { Box, Text } from "ink";
import { memo } from "react";

export interface Status {
  path: string;
  count: number;
  embedder: string;
  session: string;
  indexKind: string;
}

/** `~/.sigla/store` for a path under the home folder. */
export function shortPath(path: string): string {
  const home = homedir();
  return path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
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
