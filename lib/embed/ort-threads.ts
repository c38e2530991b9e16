import { availableParallelism } from "node:os";

/**
 * Intra-op threads for the embedders' ONNX Runtime sessions: every core this process may run on, up to 8
 * (small encoders gain little past that). Set explicitly because ONNX Runtime's own default counts
 * physical cores, which is 1 on a VM that reports its 2 vCPUs as one core's two threads.
 */
export function ortThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}
