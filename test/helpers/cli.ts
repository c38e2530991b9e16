/** Runs the `sigla` CLI in-process and collects its exit code, stdout and stderr. */
import { main } from "../../lib/cli/main.js";

export async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}
