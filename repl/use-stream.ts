/**
 * The model's text as it streams in. Pieces arrive a token at a time, far faster than a terminal should be
 * redrawn: they are gathered in a ref and copied into state at most once per `intervalMs` (20 redraws a
 * second by default), so Ink is never flooded and the last piece is always drawn.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { throttle } from "../lib/commands/throttle.js";

export function useStream(intervalMs = 50) {
  const [text, setText] = useState("");
  const buffer = useRef("");
  const [redraw] = useState(() => throttle(() => setText(buffer.current), intervalMs));

  const append = useCallback(
    (piece: string) => {
      buffer.current += piece;
      redraw.poke();
    },
    [redraw],
  );

  /** Drops the text (the turn ended: its formatted answer takes the place of the stream). */
  const reset = useCallback(() => {
    redraw.cancel();
    buffer.current = "";
    setText("");
  }, [redraw]);

  useEffect(() => () => redraw.cancel(), [redraw]);

  return { text, append, reset };
}

/**
 * The last `rows` lines `text` takes when wrapped at `width` columns (words are not split unless longer
 * than a line): the live panel shows the end of the answer, where the model is writing.
 */
export function tailLines(text: string, width: number, rows: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/(\s+)/)) {
      if (word === "") continue;
      if ((line + word).length <= width) {
        line += word;
        continue;
      }
      if (line.trim() !== "") lines.push(line.trimEnd());
      line = /^\s+$/.test(word) ? "" : word;
      while (line.length > width) {
        lines.push(line.slice(0, width));
        line = line.slice(width);
      }
    }
    lines.push(line.trimEnd());
  }
  while (lines.length > 0 && lines[0] === "") lines.shift();
  return lines.slice(-rows);
}
