/**
 * The redaction regression corpus (`redaction-corpus.json`) and how the scanner and the gate's residual
 * check score on it: recall over the sensitive items, false-positive rate over the harmless ones, per kind.
 * Used by the corpus test (which fails below its thresholds) and by `npm run report:redaction`.
 */
import { readFileSync } from "node:fs";
import { categoryOf, type FindingCategory, type FindingKind, redact } from "./redact/index.js";
import { residualCheck } from "./residual.js";

/** One corpus item: `kind` is the finding a sensitive item must produce, `none` for a harmless one. */
export interface CorpusItem {
  id: string;
  lang: "en" | "ru";
  kind: FindingKind | "none";
  text: string;
  /** A substring of `text` that must not survive redaction. */
  value?: string;
  /** How the item is disguised (obfuscated, full-width, base64, …). */
  note?: string;
  /** Harmless items: the kind they resemble. */
  looks?: string;
}

/** The corpus, with the split markers that keep secret scanners off the file removed. */
export function loadCorpus(): CorpusItem[] {
  const doc = JSON.parse(readFileSync(new URL("./redaction-corpus.json", import.meta.url), "utf8")) as {
    split: string;
    items: CorpusItem[];
  };
  const join = (s: string | undefined) => s?.split(doc.split).join("");
  return doc.items.map((item) => ({ ...item, text: join(item.text) as string, value: join(item.value) }));
}

/** What happened to one item. */
export interface ItemResult {
  id: string;
  lang: string;
  kind: string;
  /** Sensitive: caught (a finding of the expected category and the value gone). Harmless: untouched. */
  ok: boolean;
  /** Sensitive: a finding of exactly the expected kind. */
  exactKind: boolean;
  found: string[];
  redacted: string;
  /** Reasons the gate's residual check gives for the copy `redact` makes (should be none). */
  gateOnCopy: string[];
  /** Sensitive: whether the residual check alone flags the item left unredacted (a scanner that missed it). */
  gateOnRaw: boolean;
}

/** Rates of one group of items. */
export interface Rates {
  items: number;
  caught: number;
  rate: number;
}

export interface CorpusScore {
  items: number;
  sensitive: number;
  harmless: number;
  /** Sensitive items caught / sensitive items. */
  recall: number;
  /** Harmless items with any finding / harmless items. */
  falsePositiveRate: number;
  /** Sensitive items whose finding had exactly the expected kind. */
  exactKindRate: number;
  perKind: Record<string, Rates>;
  perLanguage: Record<string, { recall: number; falsePositiveRate: number }>;
  /** Harmless items flagged, by what they resemble. */
  falsePositivesByLook: Record<string, Rates>;
  gate: {
    /** Items whose properly redacted copy the gate refused (should be 0). */
    refusedCleanCopies: number;
    /** Sensitive items the residual check flags in an unredacted copy / sensitive items. */
    independentRecall: number;
  };
  misses: ItemResult[];
  falsePositives: ItemResult[];
}

function rates(items: ItemResult[]): Rates {
  const caught = items.filter((r) => r.ok).length;
  return { items: items.length, caught, rate: items.length ? caught / items.length : 1 };
}

/** Redacts every item and scores the results. */
export function scoreCorpus(items: CorpusItem[] = loadCorpus()): CorpusScore {
  const results: ItemResult[] = items.map((item) => {
    const { text, findings } = redact(item.text);
    const found = findings.map((f) => f.kind);
    const gateOnCopy = residualCheck(item.text, text);
    if (item.kind === "none") {
      return {
        ...base(item),
        ok: found.length === 0,
        exactKind: false,
        found,
        redacted: text,
        gateOnCopy,
        gateOnRaw: false,
      };
    }
    const category: FindingCategory = categoryOf(item.kind);
    const gone = item.value === undefined || !text.includes(item.value);
    return {
      ...base(item),
      ok: gone && findings.some((f) => f.category === category),
      exactKind: found.includes(item.kind),
      found,
      redacted: text,
      gateOnCopy,
      gateOnRaw: residualCheck(item.text, item.text).length > 0,
    };
  });
  const sensitive = results.filter((r) => r.kind !== "none");
  const harmless = results.filter((r) => r.kind === "none");
  const perKind: Record<string, Rates> = {};
  for (const kind of [...new Set(sensitive.map((r) => r.kind))].sort()) {
    perKind[kind] = rates(sensitive.filter((r) => r.kind === kind));
  }
  const perLanguage: CorpusScore["perLanguage"] = {};
  for (const lang of ["en", "ru"]) {
    const s = rates(sensitive.filter((r) => r.lang === lang));
    const h = rates(harmless.filter((r) => r.lang === lang));
    perLanguage[lang] = { recall: s.rate, falsePositiveRate: 1 - h.rate };
  }
  const looks = new Map(items.map((i) => [i.id, i.looks ?? "other"]));
  const falsePositivesByLook: Record<string, Rates> = {};
  for (const look of [...new Set(harmless.map((r) => looks.get(r.id) as string))].sort()) {
    const group = harmless.filter((r) => looks.get(r.id) === look);
    const flagged = group.filter((r) => !r.ok).length;
    falsePositivesByLook[look] = { items: group.length, caught: flagged, rate: flagged / group.length };
  }
  return {
    items: results.length,
    sensitive: sensitive.length,
    harmless: harmless.length,
    recall: rates(sensitive).rate,
    falsePositiveRate: 1 - rates(harmless).rate,
    exactKindRate: sensitive.filter((r) => r.exactKind).length / sensitive.length,
    perKind,
    perLanguage,
    falsePositivesByLook,
    gate: {
      refusedCleanCopies: results.filter((r) => r.gateOnCopy.length > 0).length,
      independentRecall: sensitive.filter((r) => r.gateOnRaw).length / sensitive.length,
    },
    misses: sensitive.filter((r) => !r.ok),
    falsePositives: harmless.filter((r) => !r.ok),
  };
}

function base(item: CorpusItem): Pick<ItemResult, "id" | "lang" | "kind"> {
  return { id: item.id, lang: item.lang, kind: item.kind };
}
