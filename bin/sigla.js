#!/usr/bin/env node
// The `sigla` command: loads the TypeScript sources through tsx and hands over to the CLI. With no
// arguments it opens the REPL (repl/main.ts) itself; with only --llm/--profile the CLI parses them and
// starts the REPL through its `interactive` hook, so that lib/ never imports the front end.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

// No arguments: the REPL, started at once — not through the CLI, which loads the whole library before
// the prompt — and with Ink loaded before tsx's hooks (repl/preload.js).
const repl = process.argv.length === 2;
if (repl) await import("../repl/preload.js");
// The repository's tsconfig wherever sigla is started from: without it tsx reads the working folder's (or
// none) and compiles the REPL's JSX for the classic runtime ("React is not defined").
register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
const interactive = async (options) => {
  // Ink reads CI at import and then draws only <Static> output (no prompt). The full-screen REPL runs
  // only on a real terminal, so a CI variable inherited from the shell must not blank it.
  if (process.stdout.isTTY) {
    delete process.env.CI;
    delete process.env.CONTINUOUS_INTEGRATION;
  }
  return (await import("../repl/main.ts")).startRepl(options);
};
process.exitCode = repl
  ? await interactive({})
  : await (await import("../lib/cli/main.ts")).main(process.argv.slice(2), undefined, { interactive });
