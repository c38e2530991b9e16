#!/usr/bin/env node
// The `sigla` command: loads the TypeScript sources through tsx and hands over to the CLI. With no
// arguments it opens the REPL (repl/main.ts), which the CLI starts through its `interactive` hook so that
// lib/ never imports the front end.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../lib/cli/main.ts");
process.exitCode = await main(process.argv.slice(2), undefined, {
  interactive: async (options) => {
    // Ink reads CI at import and then draws only <Static> output (no prompt). The full-screen REPL runs
    // only on a real terminal, so a CI variable inherited from the shell must not blank it.
    if (process.stdout.isTTY) {
      delete process.env.CI;
      delete process.env.CONTINUOUS_INTEGRATION;
    }
    return (await import("../repl/main.ts")).startRepl(options);
  },
});
