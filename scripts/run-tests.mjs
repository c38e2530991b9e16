#!/usr/bin/env node
// Runs every `*.test.ts` under lib/, bench/, test/ and the front ends with uvu (through tsx) and ends with the
// plain summary line `N passed, N failed` that CI reads; uvu prints its totals in another shape. Exit code is uvu's.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

// uvu imports the test files as ESM; tsx, loaded with --import, compiles them.
const uvu = fileURLToPath(new URL("../node_modules/uvu/bin.js", import.meta.url));
const args = [
  "--import",
  "tsx",
  uvu,
  ".",
  "(lib|test|repl|kernel|notebooks|bench)/.*\\.test\\.tsx?$",
  "-i",
  "node_modules",
  ...process.argv.slice(2),
];
const child = spawn(process.execPath, args, {
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, LANCEDB_LOG: "error" },
});
let output = "";
child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  output += chunk;
});
child.on("close", (code) => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips uvu's ANSI colours before parsing.
  const plain = output.replace(/\u001b\[[0-9;]*m/g, "");
  const number = (label) => Number(plain.match(new RegExp(`${label}:\\s+(\\d+)`))?.[1] ?? 0);
  const total = number("Total");
  const passed = number("Passed");
  const skipped = number("Skipped");
  const failed = Math.max(0, total - passed - skipped) + (code !== 0 && total === passed + skipped ? 1 : 0);
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  process.exitCode = code ?? 1;
});
