#!/usr/bin/env node
// The `sigla` command: loads the TypeScript sources through tsx and hands over to the CLI. With no
// arguments it opens the REPL (repl/main.ts), which the CLI starts through its `interactive` hook so that
// lib/ never imports the front end.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../lib/cli/main.ts");
process.exitCode = await main(process.argv.slice(2), undefined, {
  interactive: async () => (await import("../repl/main.ts")).startRepl(),
});
