/** Shared by the REPL's tests: wait for a condition, and the key codes a terminal sends. */

/** Resolves once `check` returns true; rejects with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Lets React commit and Ink's input hooks subscribe. */
export const tick = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

export const KEYS = {
  enter: "\r",
  up: "\u001b[A",
  down: "\u001b[B",
  left: "\u001b[D",
  tab: "\t",
  backspace: "\u007f",
  ctrlC: "\u0003",
  ctrlU: "\u0015",
} as const;

/** A frame without its colours. */
export function plain(frame: string | undefined): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips the ANSI colour codes Ink writes.
  return (frame ?? "").replace(/\u001b\[[0-9;]*m/g, "");
}
