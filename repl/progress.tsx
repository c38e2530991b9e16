/** A progress bar for long work and a spinner for work of unknown length. */
import { Box, Text } from "ink";
import { useEffect, useState } from "react";
import { bar } from "../lib/charts/terminal.js";
import type { JobProgress } from "../lib/commands/types.js";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** A braille spinner that turns every 80 ms while mounted. */
export function Spinner({ color = "cyan" }: { color?: string }) {
  const [frame, setFrame] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setFrame((f) => (f + 1) % FRAMES.length), 80);
    return () => clearInterval(timer);
  }, []);
  return <Text color={color}>{FRAMES[frame]}</Text>;
}

/** `ingest [██████▍         ]  43%  15/35 files  lancedb/versions.md  Ctrl-C cancels`. */
export function ProgressBar({
  progress,
  width = 30,
  hint = true,
}: {
  progress: JobProgress;
  width?: number;
  hint?: boolean;
}) {
  const share = progress.total > 0 ? progress.done / progress.total : 0;
  const drawn = bar(share, 1, width);
  return (
    <Box>
      <Text wrap="truncate-end">
        <Text bold>{progress.job} </Text>
        <Text color="green">[{drawn.padEnd(width)}]</Text>
        <Text> {`${Math.round(share * 100)}%`.padStart(4)} </Text>
        <Text>
          {progress.done}/{progress.total} {progress.unit}
        </Text>
        {progress.label ? <Text dimColor> {progress.label}</Text> : null}
        {hint ? <Text dimColor> · Ctrl-C cancels</Text> : null}
      </Text>
    </Box>
  );
}
