/** The code of the `SiglaError` a promise rejects with (`"resolved"` when it does not reject). */
import * as assert from "uvu/assert";
import { isSiglaError } from "../../lib/errors.js";

export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isSiglaError(error), `expected a SiglaError, got ${String(error)}`);
    return (error as { code: string }).code;
  }
  return "resolved";
}

/** Asserts that `fn` throws a `SiglaError` with `code` whose message matches `mentions`. */
export function throwsCode(fn: () => unknown, code: string, mentions: RegExp): void {
  try {
    fn();
  } catch (error) {
    assert.ok(isSiglaError(error), `expected a SiglaError, got ${String(error)}`);
    assert.is((error as { code: string }).code, code);
    assert.match((error as Error).message, mentions);
    return;
  }
  assert.unreachable(`expected ${code} matching ${mentions}`);
}

/** Asserts that `fn` throws an `InvalidInputError` (`SIGLA_INVALID_INPUT`) whose message matches `mentions`. */
export function throwsInvalid(fn: () => unknown, mentions: RegExp): void {
  throwsCode(fn, "SIGLA_INVALID_INPUT", mentions);
}
