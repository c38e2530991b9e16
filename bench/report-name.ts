/**
 * One report name per benchmark, whichever command runs it: `bench-<suite>.json` in the reports folder, with
 * its `.md`, `.png` or `.vl.json` beside it. `npm run bench -- --suite store` and `npm run bench:store` both
 * write `bench-store.json`; `npm run bench:memory` writes `bench-memory.json`, and so on.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** The repository's reports folder, relative to the repository root the npm scripts run in. */
export const REPORTS = "reports";

/** `bench-<suite>.<ext>`. */
export function reportName(suite: string, ext = "json"): string {
  return `bench-${suite}.${ext}`;
}

/** `<out>/bench-<suite>.<ext>`. */
export function reportPath(out: string, suite: string, ext = "json"): string {
  return join(out, reportName(suite, ext));
}

/** Writes `value` as indented JSON with a final newline, creating its folder first. */
export async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}
