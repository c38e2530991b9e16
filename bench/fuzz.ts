/**
 * Seeded fuzzing of the two places a user's text reaches the store: DSL programs (built from the
 * language's own words, with hostile arguments mixed in) and the store's query API (sizes, filters,
 * vectors, tags of every wrong shape). Every call must end in a result or a typed `SiglaError` within
 * `timeoutMs`; anything else (a raw exception, a hang) is counted and its first examples kept.
 */
import { type ArgumentKind, OPERATOR_ARGUMENTS, runDsl } from "../lib/dsl/index.js";
import { isSiglaError } from "../lib/errors.js";
import { seededRandom } from "../lib/random.js";
import type { CapsuleStore } from "../lib/store/capsule-store.js";

export interface FuzzCounts {
  cases: number;
  ok: number;
  typed: number;
  untyped: number;
  hangs: number;
  /** Up to five cases that broke the rule, with what they raised. */
  examples: Array<{ input: string; error: string }>;
}

const HOSTILE = [
  "",
  " ",
  "'",
  '"',
  "\\",
  ")",
  "(",
  ";",
  "--",
  "/*",
  "\u0000",
  "\u200b",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
  "id = 1) OR (1=1",
  "1e308",
  "-1",
  "NaN",
  "99999999999",
  "2147483648",
  "0",
  "x".repeat(5000),
];
type Op = keyof typeof OPERATOR_ARGUMENTS;

/** A value of an argument's kind, or (one time in five) a hostile one. */
function argumentValue(kind: ArgumentKind, next: () => number): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  if (next() < 0.2) return pick(HOSTILE);
  switch (kind.kind) {
    case "int":
      return String(pick([kind.min, kind.min + 1, 3, kind.max, kind.max + 1, -1]));
    case "enum":
      return pick([...kind.values, "fuzzy"]);
    case "list":
      return pick(["a", "a,b", "b", '"a,b"']);
    case "fraction":
      return pick(["0.5", "0.9", "1.5", "0"]);
    default:
      return pick(['"notes"', '"id < 6"', '"tags = 1"', '"things"']);
  }
}

/** One random DSL program: a pipeline of real operators and arguments, with hostile values mixed in. */
function program(next: () => number): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const step = (op: Op | "INTENT" | "INJECT", first: boolean) => {
    const parts: string[] = [op];
    if (op === "INTENT" || op === "INJECT" || (first && op === "RETRIEVE")) {
      parts.push(
        next() < 0.85 ? pick(['"notes on things"', '"things"', '"{{query}} — {{evidence}}"']) : pick(HOSTILE),
      );
    }
    if (op !== "INTENT" && op !== "INJECT") {
      const specs = OPERATOR_ARGUMENTS[op];
      for (const key of Object.keys(specs)) {
        if (next() < 0.4) parts.push(`${key}=${argumentValue(specs[key], next)}`);
      }
    }
    return parts.join(" ");
  };
  const steps = [step(pick(["INTENT", "RETRIEVE"] as const), true)];
  for (let n = Math.floor(next() * 4); n > 0; n--) {
    steps.push(step(pick(["RETRIEVE", "EXPAND", "MERGE", "INJECT"] as const), false));
  }
  return steps.join(" | ");
}

/** One random store call with arguments of every wrong shape. */
function storeCall(next: () => number, store: CapsuleStore): { input: string; call: () => Promise<unknown> } {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
  const topK = pick<unknown>([1, 5, 0, -3, 1.5, Number.NaN, 1e9, 2 ** 31 - 1, "5", null, undefined, 10_000]);
  const where = pick<unknown>([undefined, "id < 5", ...HOSTILE, 3, "text LIKE '%a%'", "tags = 1"]);
  const tags = pick<unknown>([undefined, [], ["a"], "a", [1], [""], ["x'y"]]);
  const dim = store.dim;
  const vector = pick<unknown>([
    Array.from({ length: dim }, () => next() - 0.5),
    Array.from({ length: dim + 1 }, () => 1),
    Array.from({ length: dim }, () => Number.NaN),
    Array.from({ length: dim }, () => 0),
    Array.from({ length: dim }, () => 1n),
    "not a vector",
    new Float64Array(dim),
  ]);
  const mode = pick<unknown>(["vector", "fts", "hybrid", "fuzzy", undefined]);
  const text = pick<unknown>(["notes on things", ...HOSTILE, 42]);
  const which = Math.floor(next() * 5);
  const options = { topK, where, tags, mode } as Record<string, unknown>;
  const input = JSON.stringify({
    which,
    options,
    text,
    vector: Array.isArray(vector) ? "array" : String(vector),
  });
  const calls = [
    () => store.query(vector as number[], options),
    () => store.search(text as string, options),
    () => store.list({ where: where as string, limit: topK as number }),
    () => store.randomWalk(0, { steps: topK as number }),
    () => store.queryBatch([vector as number[]], options),
  ];
  return { input, call: calls[which] };
}

async function judge(
  counts: FuzzCounts,
  input: string,
  call: () => Promise<unknown>,
  timeoutMs: number,
): Promise<void> {
  counts.cases++;
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<"hang">((resolve) => {
    timer = setTimeout(() => resolve("hang"), timeoutMs);
  });
  try {
    const result = await Promise.race([call(), hang]);
    if (result === "hang") {
      counts.hangs++;
      if (counts.examples.length < 5) counts.examples.push({ input, error: `no answer in ${timeoutMs} ms` });
    } else counts.ok++;
  } catch (error) {
    if (isSiglaError(error)) counts.typed++;
    else {
      counts.untyped++;
      if (counts.examples.length < 5) counts.examples.push({ input, error: String(error).slice(0, 300) });
    }
  } finally {
    clearTimeout(timer);
  }
}

const empty = (): FuzzCounts => ({ cases: 0, ok: 0, typed: 0, untyped: 0, hangs: 0, examples: [] });

/** `cases` DSL programs and `cases` store calls against `store` (which should hold a few capsules). */
export async function fuzzStore(
  store: CapsuleStore,
  options: { cases: number; seed?: number; timeoutMs?: number },
): Promise<{ dsl: FuzzCounts; api: FuzzCounts }> {
  const next = seededRandom(options.seed ?? 1);
  const timeoutMs = options.timeoutMs ?? 5000;
  const dsl = empty();
  const api = empty();
  for (let i = 0; i < options.cases; i++) {
    const text = program(next);
    await judge(dsl, text, () => runDsl(store, text), timeoutMs);
    const { input, call } = storeCall(next, store);
    await judge(api, input, call, timeoutMs);
  }
  return { dsl, api };
}
