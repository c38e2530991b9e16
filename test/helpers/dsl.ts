/** Assertions shared by the DSL tests: a call must fail with a given `SiglaError` code (and position). */
import * as assert from "uvu/assert";
import { isSiglaError } from "../../lib/errors.js";

/** What a `DslError` (or any `SiglaError`) carried, for exact assertions. */
export interface Caught {
  code: string;
  message: string;
  position?: number;
}

/** Runs `call` and returns the `SiglaError` it throws (or rejects with); fails the test if it does not. */
export async function caught(call: () => unknown): Promise<Caught> {
  try {
    await call();
  } catch (error) {
    assert.ok(isSiglaError(error), `expected a SiglaError, got ${String(error)}`);
    const { code, message, position } = error as Caught;
    return { code, message, position };
  }
  assert.unreachable("expected an error");
  throw new Error("unreachable");
}
