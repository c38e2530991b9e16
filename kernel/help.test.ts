/**
 * One house for every door: the CLI's `--help`, the REPL's `:help` and the kernel's `%help` list the same
 * commands, because all three are built from the one registry.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { main } from "../lib/cli/main.js";
import { BATCH_COMMANDS, COMMANDS } from "../lib/commands/registry.js";
import { formatResult } from "../lib/commands/text.js";
import { helpCommand } from "../lib/index.js";
import { Magics } from "./magics.js";
import type { MimeBundle } from "./render.js";

/** Command names in a help text: `  :name`, `  %name` or commander's `  name [options]` lines. */
function names(text: string, mark: string): string[] {
  const pattern = new RegExp(`^\\s+${mark}([a-z][a-z-]*)`, "gm");
  return [...text.matchAll(pattern)].map((m) => m[1]).filter((name, i, all) => all.indexOf(name) === i);
}

test("--help, :help and %help list the same commands, the registry's", async () => {
  let cli = "";
  assert.is(await main(["--help"], { out: (t) => (cli += t), err: (t) => (cli += t) }), 0);
  // Commander's command lines start with two spaces (`  query|search [options] <text...>`); wrapped
  // descriptions start with more.
  const fromCli = [...cli.slice(cli.indexOf("Commands:")).matchAll(/^ {2}([a-z][a-z-]*)[|\s]/gm)].map(
    (m) => m[1],
  );

  const fromRepl = names(formatResult(helpCommand()), ":");

  let shown: MimeBundle | undefined;
  const magics = new Magics({
    display: (bundle) => (shown = bundle),
    error: (line) => assert.unreachable(line),
  });
  await magics.run("help", "");
  const fromKernel = names(String(shown?.["text/plain"]), "%");

  const batch = BATCH_COMMANDS.map((c) => c.name);
  assert.equal(fromCli.filter((name) => batch.includes(name)).sort(), [...batch].sort(), cli);
  assert.equal(
    fromCli.filter((name) => !batch.includes(name)),
    ["serve"],
    "the CLI lists the registry's commands and one door of its own, the HTTP server",
  );
  // The interactive doors add only what needs a prompt (`:quit`).
  assert.equal(fromRepl.sort(), COMMANDS.map((c) => c.name).sort());
  assert.equal(fromKernel.sort(), [...batch].sort());
});

test("a typed call fails like its magic: one line, no stack, no half-open workbench", async () => {
  const errors: string[] = [];
  const magics = new Magics({ display: () => undefined, error: (line) => errors.push(line) });
  const result = await magics.call("query", "x", { k: 0 });
  assert.is(result, undefined);
  assert.is(errors.length, 1);
  assert.match(errors[0], /^%query: -k must be an integer from 1 to 10000, got 0 — usage: %query/);
  await magics.close();
});

test.run();
