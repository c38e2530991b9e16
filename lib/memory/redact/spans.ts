/**
 * Span bookkeeping for the scanner: merging overlapping spans into findings, writing masks, and mapping
 * positions in a redacted text back to the original.
 */
import { categoryOf, type Finding, maskFor, type Span } from "./kinds.js";

/** Merges overlapping spans: the union of the spans, the kind of the widest (earliest detector on a tie). */
export function merge(spans: Span[]): Finding[] {
  const ordered = spans
    .map((span, order) => ({ ...span, order }))
    .sort((a, b) => a.start - b.start || b.end - a.end || a.order - b.order);
  const out: Finding[] = [];
  let group: { start: number; end: number; label: (typeof ordered)[number] } | undefined;
  const flush = () => {
    if (!group) return;
    const { kind } = group.label;
    out.push({
      kind,
      category: categoryOf(kind),
      start: group.start,
      end: group.end,
      replacement: maskFor(kind),
    });
  };
  for (const span of ordered) {
    if (group && span.start < group.end) {
      const width = span.end - span.start;
      const labelWidth = group.label.end - group.label.start;
      if (width > labelWidth || (width === labelWidth && span.order < group.label.order)) group.label = span;
      group.end = Math.max(group.end, span.end);
    } else {
      flush();
      group = { start: span.start, end: span.end, label: span };
    }
  }
  flush();
  return out;
}

/** Whether two sorted finding lists cover exactly the same spans. */
export function sameSpans(a: Finding[], b: Finding[]): boolean {
  return a.length === b.length && a.every((f, i) => f.start === b[i].start && f.end === b[i].end);
}

/** Replaces sorted, disjoint findings by their masks. */
export function applyFindings(text: string, findings: Finding[]): string {
  let out = "";
  let at = 0;
  for (const finding of findings) {
    out += text.slice(at, finding.start) + finding.replacement;
    at = finding.end;
  }
  return out + text.slice(at);
}

/**
 * Maps a position in the redacted text back to the original: unchanged text shifts, and a span edge inside
 * a mask widens to the whole finding it replaced.
 */
export function positionMap(findings: Finding[]): (position: number, edge: "start" | "end") => number {
  const outStarts: number[] = [];
  let shift = 0;
  for (const finding of findings) {
    outStarts.push(finding.start - shift);
    shift += finding.end - finding.start - finding.replacement.length;
  }
  return (position, edge) => {
    // The last finding whose mask starts before `position` (at or before it, for a start).
    let low = 0;
    let high = findings.length - 1;
    let index = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (edge === "start" ? outStarts[mid] <= position : outStarts[mid] < position) {
        index = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    if (index < 0) return position;
    const finding = findings[index];
    const outEnd = outStarts[index] + finding.replacement.length;
    if (edge === "start" ? position < outEnd : position <= outEnd) {
      return edge === "start" ? finding.start : finding.end;
    }
    return finding.end + (position - outEnd);
  };
}

/** Whether `span` lies within one of `masks` (sorted, disjoint `[start, end)` pairs). */
export function insideMask(masks: number[][], span: Span): boolean {
  let low = 0;
  let high = masks.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const [start, end] = masks[mid];
    if (span.start < start) high = mid - 1;
    else if (span.start >= end) low = mid + 1;
    else return span.end <= end;
  }
  return false;
}
