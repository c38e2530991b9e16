/**
 * Step 7, external sources: when memory holds too little, the registered folders are searched within a
 * budget; chunks used pass SIFT (the file still holds them) and are saved to ARCHIVE as QUOTE nodes with
 * their provenance. Files the budget did not reach become the next narrowing step in Λ.
 */
import { chunkStillThere, searchFolders } from "../connectors.js";
import type { AfterMemory, Recalled } from "../turn.js";
import type { Evidence } from "../types.js";
import type { Step } from "./step.js";

/** Memory is enough when this many citable pieces score at least `MEMORY_ENOUGH_SCORE`. */
export const MEMORY_ENOUGH_COUNT = 2;
export const MEMORY_ENOUGH_SCORE = 0.02;

type External = Pick<Recalled, "evidence" | "narrowing" | "written">;

export const externalSources: Step<AfterMemory, External> = async (state) => {
  const { options, memory } = state;
  const unchanged = { evidence: state.evidence, narrowing: state.narrowing, written: state.written };
  if (options.connectors.length === 0)
    return { out: unchanged, summary: "no connectors registered", data: { searched: false } };
  const strong = state.evidence.filter((e) => e.layer !== "shadow" && e.score >= MEMORY_ENOUGH_SCORE);
  if (strong.length >= MEMORY_ENOUGH_COUNT || state.about === "conversation") {
    const why =
      state.about === "conversation"
        ? "a question about the conversation"
        : `memory is enough (${strong.length} strong pieces)`;
    return { out: unchanged, summary: why, data: { searched: false } };
  }
  const evidence: Evidence[] = [...state.evidence];
  const narrowing = [...state.narrowing];
  const written = [...state.written];
  const found = await searchFolders(options.connectors, state.question, {
    maxFiles: options.externalMaxFiles,
    budgetMs: options.externalBudgetMs,
  });
  const saved: number[] = [];
  const refused: string[] = [];
  for (const chunk of found.chunks) {
    if (!(await chunkStillThere(chunk))) {
      refused.push(`${chunk.file}: changed since it was read`);
      continue;
    }
    const node = await memory.archive({
      content: chunk.text,
      kind: "QUOTE",
      tags: ["external"],
      source: {
        type: "connector",
        ref: chunk.file,
        locator: `chars ${chunk.start}-${chunk.end}`,
        retrieved_at: new Date().toISOString(),
      },
    });
    saved.push(node.id);
    written.push(`ARCHIVE QUOTE #${node.id} from ${chunk.file}`);
    evidence.push({
      evidenceId: `ev:${node.id}`,
      capsuleId: node.id,
      layer: "external",
      text: chunk.text,
      score: chunk.score,
      hasSource: true,
      hashOk: true,
      supports: 0,
      contradicts: 0,
      title: node.title,
      source: chunk.file,
      locator: `chars ${chunk.start}-${chunk.end}`,
    });
  }
  if (found.skipped.length > 0) {
    narrowing.push(
      `search the ${found.skipped.length} files not reached yet, first: ${found.skipped.slice(0, 3).join(", ")}`,
    );
  }
  return {
    out: { evidence, narrowing, written },
    summary: `${found.scanned} files searched, ${saved.length} chunks saved to ARCHIVE${found.skipped.length ? `, ${found.skipped.length} left for later` : ""}`,
    data: { searched: true, scanned: found.scanned, saved, refused, skipped: found.skipped.length },
  };
};
