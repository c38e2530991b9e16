/** Runs a DSL program, text or typed, step by step over a store, timing each step. */
import { expand, inject, merge, retrieve, intent as startIntent } from "./operators.js";
import { checkProgram, parseDsl } from "./parser.js";
import type { DslContext, DslProgram, DslRunResult, DslStep, DslStepReport, DslStore } from "./types.js";

/** Options of `runDsl`. */
export interface RunDslOptions {
  /** Called after each step with the step and the context it produced (e.g. for a REPL trace). */
  onStep?(step: DslStep, ctx: DslContext): void | Promise<void>;
}

/**
 * Parses (a string) or checks (a typed program) and runs it. The whole program is checked before the
 * first step runs, so a bad argument in the last step costs no search. Returns the final intent, hits and
 * prompt, and per step its operator, milliseconds and the number of hits after it.
 */
export async function runDsl(
  store: DslStore,
  program: string | DslProgram,
  options: RunDslOptions = {},
): Promise<DslRunResult> {
  const steps = typeof program === "string" ? parseDsl(program) : checkProgram(program);
  let ctx: DslContext | undefined;
  const reports: DslStepReport[] = [];
  for (const step of steps) {
    const started = performance.now();
    ctx = await runStep(store, ctx, step);
    reports.push({
      op: step.op,
      ms: Math.round((performance.now() - started) * 100) / 100,
      count: ctx.hits.length,
    });
    await options.onStep?.(step, ctx);
  }
  // checkProgram guarantees at least one step, so ctx is set.
  return { ...(ctx as DslContext), steps: reports };
}

/** One checked step; the first step is INTENT or a RETRIEVE with a query, which starts the context. */
async function runStep(store: DslStore, ctx: DslContext | undefined, step: DslStep): Promise<DslContext> {
  switch (step.op) {
    case "INTENT":
      return startIntent(step.text);
    case "RETRIEVE": {
      const { op, position, ...options } = step;
      return retrieve(store, ctx ?? startIntent(options.q as string), options);
    }
    case "EXPAND": {
      const { op, position, ...options } = step;
      return expand(store, ctx as DslContext, options);
    }
    case "MERGE": {
      const { op, position, ...options } = step;
      return merge(ctx as DslContext, options);
    }
    case "INJECT":
      return inject(ctx as DslContext, step.template);
  }
}
