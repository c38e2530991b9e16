/**
 * Gates (Iskra §3.5.1, SIFT): the only ways a node moves up. Each gate checks, records why it passed or
 * refused in the node's gate log, and writes a GROWTH entry; a refusal throws `GateRejectedError` listing
 * every failed check and leaves the node where it was.
 *
 * RAW → REDACTED makes a redacted copy (RAW stays immutable) that is DERIVED_FROM the original;
 * REDACTED → DERIVED and DERIVED → GOLD move the node in place; SHADOW → ARCHIVE is `promote`.
 */
import { resolve } from "node:path";
import { GateRejectedError, InvalidInputError, isSiglaError } from "../errors.js";
import { readSource } from "../ingest/readers.js";
import type { Capsule } from "../store/types.js";
import { sqlString } from "../store/validate.js";
import { type Memory, nextLevel, nodeMetaOf, verifyNode } from "./layers.js";
import { type Finding, redact, scanText } from "./redact/index.js";
import { residualCheck } from "./residual.js";
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
 * SIFT: the source is verified, the content still matches its hash, and no ARCHIVE or GOLD node holds an
 * unresolved CONTRADICTS edge with this node. A source is verified only by what is itself verified: an
 * ARCHIVE (or GOLD) node that carries it or that it names (`capsule:<id>`), or a readable file whose bytes
 * still hash to what ingest recorded for it. SHADOW nodes never verify anything — not even each other.
 */
export async function sift(memory: Memory, node: MemoryNode): Promise<GateResult> {
  const reasons: string[] = [];
  const { source } = node;
  if (!source?.ref) reasons.push("no source");
  else {
    const problem = await sourceProblem(memory, node, source.ref);
    if (problem) reasons.push(problem);
  }
  try {
    await memory.node(node.id);
  } catch (error) {
    reasons.push((error as Error).message);
  }
  const blocking = (other: MemoryNode) => other.layer === "archive" || other.level === "GOLD";
  // A damaged node next to this one is a reason to refuse (logged), not a crash of the gate.
  const incoming = await memory.incoming(node.id).catch((error: unknown) => {
    if (!isSiglaError(error)) throw error;
    reasons.push(error.message);
    return [];
  });
  for (const { from, edge } of incoming) {
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

/** Whether a capsule is verified knowledge: an ARCHIVE or GOLD node whose hash still matches. */
function verifiedNode(capsule: Capsule): boolean {
  const meta = nodeMetaOf(capsule);
  if (!meta || !(meta.layer === "archive" || meta.level === "GOLD")) return false;
  try {
    verifyNode(capsule);
    return true;
  } catch (error) {
    if (isSiglaError(error)) return false;
    throw error;
  }
}

/** What ingest recorded about a capsule's file (`meta.source.file` and its sha256), if it came from one. */
function ingestRecord(capsule: Capsule): { file: string; sha256: string } | undefined {
  if (nodeMetaOf(capsule)) return undefined;
  const source = capsule.meta.source as { file?: unknown; sha256?: unknown } | undefined;
  if (typeof source?.file !== "string" || typeof source.sha256 !== "string") return undefined;
  return { file: source.file, sha256: source.sha256 };
}

/**
 * The sha256 (hex) of a file's bytes, or undefined when it cannot be read. Read as ingest reads it: only
 * a regular file, within the size limit, never blocking on a FIFO put in its place.
 */
async function fileHash(path: string): Promise<string | undefined> {
  return readSource(path).then(
    (source) => source.sha256,
    () => undefined,
  );
}

/** Why an ingested capsule does not verify: its file is gone or changed; undefined when it still matches. */
async function ingestProblem(
  ref: string,
  record: { file: string; sha256: string },
): Promise<string | undefined> {
  const now = await fileHash(record.file);
  if (now === undefined) return `source ${ref}: the file ${record.file} cannot be read any more`;
  if (now !== record.sha256) return `source ${ref}: the file ${record.file} changed since it was ingested`;
  return undefined;
}

const CARRIERS = 16;

/** Why `ref` does not verify `node` (see {@link sift}), or undefined when it does. */
async function sourceProblem(memory: Memory, node: MemoryNode, ref: string): Promise<string | undefined> {
  const named = /^capsule:(\d+)$/.exec(ref);
  if (named) {
    const id = Number(named[1]);
    if (id === node.id) return `source ${ref} is the node itself`;
    const capsule = await memory.store.get(id);
    if (!capsule) return `source ${ref} is not reachable: no such capsule`;
    if (verifiedNode(capsule)) return undefined;
    const meta = nodeMetaOf(capsule);
    if (meta?.layer === "shadow") return `source ${ref} is a shadow node, not verified knowledge`;
    const record = ingestRecord(capsule);
    if (record) return ingestProblem(ref, record);
    return meta
      ? `source ${ref} is not verified: its content no longer matches its hash`
      : `source ${ref} is not verified: it is neither an ARCHIVE node nor an ingested file`;
  }
  const refs = [...new Set([ref, resolve(ref)])].map(sqlString).join(", ");
  // SHADOW carriers are left out in the filter: however many there are, they verify nothing.
  const where = `source IN (${refs}) AND NOT array_has(tags, 'layer:shadow')`;
  const carriers = (await memory.store.list({ where, limit: CARRIERS })).filter((c) => c.id !== node.id);
  if (carriers.some(verifiedNode)) return undefined;
  // The chunks of one file all carry the same record: each file is read and hashed once.
  const records = [
    ...new Map(
      carriers
        .map(ingestRecord)
        .filter((r) => r !== undefined)
        .map((r) => [`${r.sha256} ${r.file}`, r]),
    ).values(),
  ];
  let problem: string | undefined;
  for (const record of records) {
    problem = await ingestProblem(ref, record);
    if (!problem) return undefined;
  }
  return (
    problem ??
    `source ${ref} is not reachable: no ARCHIVE or GOLD node carries it and no ingested file matches it`
  );
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
 * What a redacted copy still holds, by two checks that share no code: the scanner run again on the copy,
 * and the independent residual check (`residual.ts`: its own patterns, on its own normalisation), which
 * also makes sure no value found in the RAW original — by it or by the scanner — survives in the copy.
 */
export function redactionLeftovers(original: string, copy: string, findings: Finding[] = []): string[] {
  const own = scanText(copy).map((f) => `still holds ${f.category}:${f.kind}`);
  const known = findings.map((f) => ({
    kind: `${f.category}:${f.kind}`,
    value: original.slice(f.start, f.end),
  }));
  return [...new Set([...own, ...residualCheck(original, copy, known)])];
}

/**
 * RAW → REDACTED: a copy with PII, secrets and prompt-injection phrases replaced, DERIVED_FROM the RAW
 * node, in the same layer. Refused when the copy would still hold anything sensitive (see
 * {@link redactionLeftovers}).
 */
export async function redactNode(memory: Memory, id: number): Promise<MemoryNode> {
  const node = await memory.node(id);
  if (node.level !== "RAW")
    throw new InvalidInputError(`node ${id} is ${node.level}; only RAW nodes are redacted`);
  const { text, findings } = redact(node.content);
  const reasons = findings.map((f) => `${f.category}:${f.kind} at ${f.start}-${f.end}`);
  const left = redactionLeftovers(node.content, text, findings);
  const result: GateResult = left.length
    ? { passed: false, reasons: left }
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
