/**
 * Types of the DSL: the five operators as typed steps, the context that flows between them, and what a
 * run reports. A program is the same whether it was parsed from text or built by hand.
 */
import type { CapsuleStore } from "../store/capsule-store.js";
import type { CapsuleHit, SearchMode } from "../store/types.js";

/** The operator names, in the order a program usually uses them. */
export const DSL_OPERATORS = ["INTENT", "RETRIEVE", "EXPAND", "MERGE", "INJECT"] as const;
/** One of the operator names. */
export type DslOperator = (typeof DSL_OPERATORS)[number];

/** The slice of `CapsuleStore` the operators use, so tests and wrappers can supply their own. */
export type DslStore = Pick<CapsuleStore, "search" | "bfs" | "get">;

/** Options of `retrieve` (and the arguments of `RETRIEVE`). */
export interface RetrieveOptions {
  /** Hits to fetch, 1..`LIMITS.topK` (10,000; default 5). */
  k?: number;
  /** Capsules must carry all of these tags. */
  tags?: string[];
  /** `hybrid` (default), `vector` or `fts`. */
  mode?: SearchMode;
  /**
   * A LanceDB SQL filter, handed to the store as its own option (never joined to `tags` as text here), so
   * it can only narrow the search: the store combines it with the tag filter.
   */
  where?: string;
  /** The query text; the context's intent when absent. */
  q?: string;
}

/** Options of `expand` (and the arguments of `EXPAND`). */
export interface ExpandOptions {
  /** Link hops from each hit, 0..`LIMITS.depth` (64; default 1). */
  depth?: number;
  /** At most this many capsules added (1..`LIMITS.topK`), the best scored first (default: all reached). */
  limit?: number;
}

/** Options of `merge` (and the arguments of `MERGE`). */
export interface MergeOptions {
  /** Keep the `k` best hits after de-duplication, 1..`LIMITS.topK` (default: all). */
  k?: number;
  /** Texts at least this similar (character-trigram Jaccard, in (0, 1]) are duplicates (default 0.9). */
  dedupe?: number;
}

/** Where a step came from in the program text (0-based offset of its operator word), when parsed. */
interface Located {
  position?: number;
}

/** `INTENT "text"`: starts a context. */
export interface IntentStep extends Located {
  op: "INTENT";
  text: string;
}
/** `RETRIEVE ["query"] k= tags= mode= where= q=`. */
export interface RetrieveStep extends Located, RetrieveOptions {
  op: "RETRIEVE";
}
/** `EXPAND depth= limit=`. */
export interface ExpandStep extends Located, ExpandOptions {
  op: "EXPAND";
}
/** `MERGE k= dedupe=`. */
export interface MergeStep extends Located, MergeOptions {
  op: "MERGE";
}
/** `INJECT "template"`. */
export interface InjectStep extends Located {
  op: "INJECT";
  template: string;
}
/** One typed step of a program. */
export type DslStep = IntentStep | RetrieveStep | ExpandStep | MergeStep | InjectStep;
/** A program: steps run left to right, each on the context the previous one produced. */
export type DslProgram = DslStep[];

/** A capsule in the context: how it got there, and (for EXPAND) from where. */
export interface DslHit extends CapsuleHit {
  via: "retrieve" | "expand";
  /** Link hops from the retrieved capsule it grew from (0 for retrieved capsules). */
  depth: number;
  /** The capsule it was reached from over a link (expanded capsules only). */
  parent?: number;
}

/** What flows between operators. Operators never change a context; they return a new one. */
export interface DslContext {
  intent: string;
  hits: DslHit[];
  /** Set by `inject`. */
  prompt?: string;
}

/** Timing and size of one step of a run. */
export interface DslStepReport {
  op: DslOperator;
  ms: number;
  /** Hits in the context after the step. */
  count: number;
}

/** What `runDsl` returns. */
export interface DslRunResult extends DslContext {
  steps: DslStepReport[];
}
