/**
 * The terminal's size as state, and a clean redraw when it changes. When the terminal is resized its text
 * reflows: the live region Ink drew at the old width now takes other rows than Ink thinks, so Ink's own
 * erase leaves fragments of old frames on screen. Once the resizing settles, the screen is cleared once
 * (not the scrollback, which keeps the transcript) and Ink draws its last frame again at the top.
 */
import { useStdout } from "ink";
import { useEffect, useState } from "react";
import type { ScreenSize } from "./layout.js";

/** Erase the visible screen and put the cursor at its top left (ED 2, CUP): the scrollback stays. */
export const CLEAR_SCREEN = "\u001b[2J\u001b[H";

/** Resize events closer together than this (a window being dragged) get one clear, after the last. */
const SETTLE_MS = 60;

/** A stream's size; a test stream without one reads as 100×40. */
function sizeOf(stdout: NodeJS.WriteStream): ScreenSize {
  return { columns: stdout.columns || 100, rows: stdout.rows || 40 };
}

export function useTerminalSize(): ScreenSize {
  const { stdout, write } = useStdout();
  const [size, setSize] = useState(() => sizeOf(stdout));

  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    const onResize = () => {
      // The layout follows at once; the clear waits until the size stops changing.
      setSize(sizeOf(stdout));
      clearTimeout(timer);
      timer = setTimeout(() => {
        // Ink's write: it erases its live region, writes this, then draws its last frame again.
        write(CLEAR_SCREEN);
      }, SETTLE_MS);
    };
    stdout.on("resize", onResize);
    return () => {
      clearTimeout(timer);
      stdout.off("resize", onResize);
    };
  }, [stdout, write]);

  return size;
}
