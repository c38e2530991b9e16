/**
 * Gates (Iskra §3.5.1, SIFT): the only ways a node moves up. Each gate checks, records why it passed or
 * refused in the node's gate log, and writes a GROWTH entry; a refusal throws `GateRejectedError` listing
 * every failed check and leaves the node where it was.
 *
 * RAW → REDACTED makes a redacted copy (RAW stays immutable) that is DERIVED_FROM the original;
 * REDACTED → DERIVED and DERIVED → GOLD move the node in place; SHADOW → ARCHIVE is `promote`.
 */
import { GateRejectedError, InvalidInputError } from "../errors.js";
import { sourceFilter } from "../ingest/ingest.js";
import { type Memory, nextLevel } from "./layers.js";
import { redact, scanText } from "./redact.js";
import type { GateRecord, MemoryNode, NodeKind, StorageLevel } from "./types.js";

/** What a gate concluded. */
export interface GateResult {
  passed: boolean;
  reasons: string[];
}

function record(gate: GateRecord["gate"], from: string, to: string, result: GateResult): GateRecord {
  return { gate, from, to, at: new Date().toISOString(), passed: result.passed, reasons: result.reasons };
}

async function refuse(memory: Memory, node: MemoryNode, entry: GateRecord): Promise<never> {
  await memory.logGate(node, entry);
  throw new GateRejectedError(entry.gate, entry.reasons);
}

/**
 * SIFT: the source is present and reachable in the store (a capsule carries it as its source, or it names
 * a capsule), the content still matches its hash, and no ARCHIVE or GOLD node holds an unresolved
 * CONTRADICTS edge with this node.
 */
export async function sift(memory: Memory, node: MemoryNode): Promise<GateResult> {
  const reasons: string[] = [];
  const { source } = node;
  if (!source?.ref) reasons.push("no source");
  else if (!(await sourceReachable(memory, node, source.ref))) {
    reasons.push(`source ${source.ref} is not reachable in the store`);
  }
  try {
    await memory.node(node.id);
  } catch (error) {
    reasons.push((error as Error).message);
  }
  const blocking = (other: MemoryNode) => other.layer === "archive" || other.level === "GOLD";
  for (const { from, edge } of await memory.incoming(node.id)) {
    if (edge.type === "CONTRADICTS" && !edge.resolved && blocking(from)) {
      reasons.push(`unresolved CONTRADICTS from ${from.layer} node ${from.id}`);
    }
  }
  for (const edge of node.edges) {
    if (edge.type !== "CONTRADICTS" || edge.resolved) continue;
    const other = await memory.node(edge.to).catch(() => undefined);
    if (other && blocking(other)) reasons.push(`unresolved CONTRADICTS with ${other.layer} node ${other.id}`);
  }
  return { passed: reasons.length === 0, reasons };
}

async function sourceReachable(memory: Memory, node: MemoryNode, ref: string): Promise<boolean> {
  const named = /^capsule:(\d+)$/.exec(ref);
  if (named) return Number(named[1]) !== node.id && (await memory.store.get(Number(named[1]))) !== undefined;
  const carriers = await memory.store.list({ where: sourceFilter(ref), limit: 2 });
  return carriers.some((c) => c.id !== node.id);
}

const PROMOTED_KIND: Partial<Record<NodeKind, NodeKind>> = {
  HYPOTHESIS: "FACT",
  DRAFT: "FACT",
  ERROR: "FACT",
  SELF_EVAL: "TEST",
};

/** SHADOW → ARCHIVE through SIFT. The node keeps its id; a hypothesis becomes a FACT. */
export async function promote(memory: Memory, id: number): Promise<MemoryNode> {
  const node = await memory.node(id);
  if (node.layer !== "shadow") throw new InvalidInputError(`node ${id} is in ${node.layer}, not shadow`);
  const kind = PROMOTED_KIND[node.kind];
  if (!kind) throw new InvalidInputError(`a ${node.kind} node cannot be promoted to archive`);
  const result = await sift(memory, node);
  const entry = record("sift", "shadow", "archive", result);
  if (!result.passed) return refuse(memory, node, entry);
  const promoted = await memory.logGate(node, entry, { layer: "archive", kind, reviewAfter: undefined });
  await memory.grow(
    {
      op: "promote",
      node: id,
      before: { layer: "shadow", kind: node.kind },
      after: { layer: "archive", kind },
    },
    `promoted node ${id} to archive: ${node.title}`,
  );
  return promoted;
}

/**
 * RAW → REDACTED: a copy with PII, secrets and prompt-injection phrases replaced, DERIVED_FROM the RAW
 * node, in the same layer. Refused when the copy would still hold a finding.
 */
export async function redactNode(memory: Memory, id: number): Promise<MemoryNode> {
  const node = await memory.node(id);
  if (node.level !== "RAW")
    throw new InvalidInputError(`node ${id} is ${node.level}; only RAW nodes are redacted`);
  const { text, findings } = redact(node.content);
  const left = scanText(text);
  const reasons = findings.map((f) => `${f.category}:${f.kind} at ${f.start}-${f.end}`);
  const result: GateResult = left.length
    ? { passed: false, reasons: left.map((f) => `still holds ${f.category}:${f.kind}`) }
    : { passed: true, reasons: reasons.length ? reasons : ["nothing to redact"] };
  const entry = record("redaction", "RAW", "REDACTED", result);
  if (!result.passed) return refuse(memory, node, entry);
  const add = node.layer === "shadow" ? memory.shadow.bind(memory) : memory.archive.bind(memory);
  const copy = await add({
    content: text,
    title: redact(node.title).text,
    kind: node.kind,
    tags: node.tags,
    source: node.source,
    level: "REDACTED",
    edges: [{ type: "DERIVED_FROM", to: id }],
    security: {
      classification: findings.some((f) => f.category === "pii") ? "pii" : "internal",
      redacted: true,
    },
    ...(node.reviewAfter ? { reviewAfter: node.reviewAfter } : {}),
  });
  await memory.logGate(node, { ...entry, reasons: [...entry.reasons, `copy: node ${copy.id}`] });
  const logged = await memory.logGate(copy, entry);
  await memory.grow(
    { op: "level", node: copy.id, before: { level: "RAW", from: id }, after: { level: "REDACTED" } },
    `redacted node ${id} into node ${copy.id} (${findings.length} findings)`,
  );
  return logged;
}

/**
 * REDACTED → DERIVED (the content must still be clean) or DERIVED → GOLD (an ARCHIVE node that passes SIFT,
 * approved by a named person): in place, with the reason recorded.
 */
export async function raiseLevel(
  memory: Memory,
  id: number,
  options: { reason: string; approvedBy?: string },
): Promise<MemoryNode> {
  if (typeof options?.reason !== "string" || options.reason.trim() === "") {
    throw new InvalidInputError("raising a level needs a reason");
  }
  const node = await memory.node(id);
  const to = nextLevel(node.level);
  if (!to) throw new InvalidInputError(`node ${id} is already GOLD`);
  if (node.level === "RAW") throw new InvalidInputError(`node ${id} is RAW; redact it first (memory redact)`);
  const reasons: string[] = [];
  for (const f of scanText(node.content)) reasons.push(`holds ${f.category}:${f.kind}`);
  if (to === "GOLD") {
    if (node.layer !== "archive") reasons.push(`only archive nodes become GOLD, this one is ${node.layer}`);
    if (!options.approvedBy) reasons.push("GOLD needs approvedBy (a person who checked it)");
    reasons.push(...(await sift(memory, node)).reasons);
  }
  const result: GateResult = reasons.length
    ? { passed: false, reasons }
    : {
        passed: true,
        reasons: [options.reason, ...(options.approvedBy ? [`approved by ${options.approvedBy}`] : [])],
      };
  const entry = record(to === "GOLD" ? "gold" : "derive", node.level, to, result);
  if (!result.passed) return refuse(memory, node, entry);
  const raised = await memory.logGate(node, entry, { level: to as StorageLevel });
  await memory.grow(
    { op: "level", node: id, before: { level: node.level }, after: { level: to } },
    `node ${id} raised to ${to}: ${options.reason}`,
  );
  return raised;
}
