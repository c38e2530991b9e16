/** Ctrl-C for the long benchmark scripts: stop the run cleanly on the first, leave at once on the second. */

/**
 * A controller the first SIGINT aborts, after printing `note` (what stopping will still do) on stderr; a
 * second SIGINT exits with 130 without waiting for the clean-up.
 */
export function abortOnInterrupt(note: string): AbortController {
  const controller = new AbortController();
  let interrupts = 0;
  process.on("SIGINT", () => {
    if (++interrupts > 1) process.exit(130);
    process.stderr.write(`\nstopping: ${note}…\n`);
    controller.abort();
  });
  return controller;
}
