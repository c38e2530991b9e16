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
