import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  CancelledError,
  errorText,
  InternalError,
  isSiglaError,
  MAX_ERROR_LINE,
  SiglaError,
  StoreError,
  throwIfCancelled,
  toSiglaError,
} from "./errors.js";

test("a SiglaError passes through toSiglaError as it is", () => {
  const error = new StoreError("SIGLA_STORE_LOCKED", "locked");
  assert.is(toSiglaError(error), error);
});

test("anything else thrown is SIGLA_INTERNAL, keeping the original as cause", () => {
  const bug = new TypeError("cannot read properties of undefined (reading 'id')");
  const wrapped = toSiglaError(bug);
  assert.instance(wrapped, InternalError);
  assert.is(wrapped.code, "SIGLA_INTERNAL");
  assert.is(wrapped.message, bug.message);
  assert.is(wrapped.cause, bug);
  assert.is(toSiglaError("a string").code, "SIGLA_INTERNAL");
  assert.is(toSiglaError(undefined).message, "undefined");
});

test("an AbortError (an aborted signal's default reason) is SIGLA_CANCELLED", () => {
  const controller = new AbortController();
  controller.abort();
  const reason = controller.signal.reason as DOMException;
  assert.is(reason.name, "AbortError");
  const cancelled = toSiglaError(reason);
  assert.instance(cancelled, CancelledError);
  assert.is(cancelled.code, "SIGLA_CANCELLED");
  assert.is(cancelled.cause, reason);
  const named = Object.assign(new Error("The operation was aborted"), { name: "AbortError" });
  assert.is(toSiglaError(named).code, "SIGLA_CANCELLED");
});

test("CancelledError says what was cancelled and what was kept; throwIfCancelled keeps the reason", () => {
  assert.is(new CancelledError("bench").message, "bench was cancelled; nothing of it was written");
  assert.is(
    new CancelledError("generation", { outcome: "the output above is partial" }).message,
    "generation was cancelled; the output above is partial",
  );
  assert.is(new CancelledError("pulling x/y", { outcome: "" }).message, "pulling x/y was cancelled");
  const controller = new AbortController();
  throwIfCancelled(controller.signal, "work");
  controller.abort("stop");
  try {
    throwIfCancelled(controller.signal, "work");
    assert.unreachable();
  } catch (error) {
    assert.ok(isSiglaError(error) && error.code === "SIGLA_CANCELLED");
    assert.is((error as Error).cause, "stop");
  }
});

test("errorText is the one line CODE: message, first line only, capped", () => {
  assert.is(errorText(new Error("first\n  at somewhere.ts:1:1"), { debug: false }), "SIGLA_INTERNAL: first");
  assert.is(
    errorText(new SiglaError("SIGLA_STORE_PATH", "\n\nno store\nmore"), { debug: false }),
    "SIGLA_STORE_PATH: no store",
  );
  const long = errorText(new StoreError("SIGLA_STORE_DAMAGED", "x".repeat(3000)), { debug: false });
  assert.is(long.length, "SIGLA_STORE_DAMAGED: ".length + MAX_ERROR_LINE);
  assert.ok(long.endsWith("…"));
  assert.is(
    errorText(new Error("y".repeat(50)), { debug: false, max: 10 }),
    `SIGLA_INTERNAL: ${"y".repeat(9)}…`,
  );
});

test("with debug, errorText adds the stack: the original's for an internal error", () => {
  const bug = new RangeError("index out of range");
  const lines = errorText(bug, { debug: true }).split("\n");
  assert.is(lines[0], "SIGLA_INTERNAL: index out of range");
  assert.is(lines.slice(1).join("\n"), bug.stack);
  const store = new StoreError("SIGLA_STORE_CLOSED", "closed");
  assert.is(errorText(store, { debug: true }), `SIGLA_STORE_CLOSED: closed\n${store.stack}`);
  assert.is(errorText("thrown string", { debug: true }), "SIGLA_INTERNAL: thrown string");
});

test("without an explicit flag, errorText follows SIGLA_DEBUG", () => {
  const saved = process.env.SIGLA_DEBUG;
  try {
    delete process.env.SIGLA_DEBUG;
    assert.is(errorText(new Error("quiet")), "SIGLA_INTERNAL: quiet");
    process.env.SIGLA_DEBUG = "0";
    assert.is(errorText(new Error("quiet")), "SIGLA_INTERNAL: quiet");
    process.env.SIGLA_DEBUG = "1";
    assert.match(errorText(new Error("loud")), /^SIGLA_INTERNAL: loud\nError: loud\n {4}at /);
  } finally {
    if (saved === undefined) delete process.env.SIGLA_DEBUG;
    else process.env.SIGLA_DEBUG = saved;
  }
});

test.run();
