/**
 * Text of the artefact commands (`convert`, `run-cg`, `converter-mod`, `module`, `attach`, `detach`) for
 * the CLI, the plain REPL and the notebook's `text/plain`.
 */
import type {
  AttachedResult,
  ConvertResult,
  ModuleConvertedResult,
  ModuleSummary,
  ModulesResult,
  RunCgResult,
} from "./types.js";

/** The artefact results this file renders. */
export type ArtifactResult =
  | ConvertResult
  | RunCgResult
  | ModuleConvertedResult
  | ModulesResult
  | AttachedResult;

/** `12.3 MiB`, `840 KiB`, `512 B`. */
export function bytesText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} B`;
}

function moduleLine(m: ModuleSummary): string {
  const deps = m.dependsOn.length > 0 ? `  needs ${m.dependsOn.join(", ")}` : "";
  return `${m.id}  ${m.type}/${m.dtype}  ${bytesText(m.bytes)}  ${m.device}  skills ${m.skills.join(", ")}${deps}`;
}

function modulesLines(result: ModulesResult): string[] {
  if (result.action === "route" && result.decision) {
    const d = result.decision;
    if (d.modules.length === 0) return [`no module fits (${d.considered} considered)`];
    return [
      `${d.modules.length} of ${d.considered} modules${d.cached ? " (cached decision)" : ""}:`,
      ...d.modules.map((m) => `  ${m.id}  score ${m.score.toFixed(2)}  by ${m.reasons.join(", ")}`),
    ];
  }
  if (result.modules.length === 0) return ["no modules registered (add one: module add <file.capsulemod>)"];
  const verb = { add: "added", remove: "removed", lookup: "", info: "", list: "", route: "" }[result.action];
  return result.modules.map((m) => `${verb ? `${verb} ` : ""}${moduleLine(m)}`);
}

function attachedLines(result: AttachedResult): string[] {
  const head =
    result.action === "list"
      ? []
      : [`${result.action}ed ${result.changed.join(", ")} in ${result.ms.toFixed(0)} ms`];
  const evicted = result.evicted.length > 0 ? [`detached to make room: ${result.evicted.join(", ")}`] : [];
  const rows = result.attached.map(
    (m) =>
      `  ${m.id}  ${m.type}  ${bytesText(m.bytes)} ${m.device === "gpu" ? "VRAM" : "RAM"}${m.type !== "state" && !m.applied ? "  (waits for a GGUF model)" : ""}`,
  );
  return [
    ...head,
    ...evicted,
    result.attached.length === 0
      ? "nothing attached"
      : `attached (least recently used first), ${bytesText(result.usage.ram)} of ${bytesText(result.budget.ram)} RAM:`,
    ...rows,
  ];
}

/** The lines of an artefact command's result. */
export function artifactLines(result: ArtifactResult): string[] {
  switch (result.kind) {
    case "convert": {
      const m = result.meta;
      return [
        `${result.path}: ${m.kind} ${m.architecture}, ${m.bits}-bit, ${bytesText(result.bytes)}`,
        `  model ${bytesText(m.sizes.original)} → ${bytesText(m.sizes.quantized)} (${(m.sizes.ratio * 100).toFixed(0)}%), ${m.tokens} token capsules of ${m.dim} dims`,
        `  ${m.fidelity.measure} against the original: ${m.fidelity.value.toFixed(4)}`,
      ];
    }
    case "run-cg": {
      const r = result.run;
      const nearest = `nearest tokens: ${r.nearestTokens.map((t) => JSON.stringify(t.text)).join(" ")}`;
      if (r.kind === "causal") return [...(r.text ? [] : ["(the model wrote nothing)"]), nearest];
      const v = r.embedding ?? [];
      return [
        `${r.source} (${r.bits}-bit) embedding, ${v.length} dims: [${v
          .slice(0, 6)
          .map((x) => x.toFixed(4))
          .join(", ")}, …]`,
        nearest,
      ];
    }
    case "module-converted":
      return [
        `${result.path}: module ${result.meta.module_id} (${result.meta.type}/${result.meta.dtype}), ${bytesText(result.bytes)}, skills ${result.meta.skills.join(", ")}`,
      ];
    case "modules":
      return modulesLines(result);
    case "attached":
      return attachedLines(result);
  }
}
