/** What the use-lite embedder needs from a loaded model, whichever runtime runs it. */
export interface UseLiteModel {
  /** The runtime: "onnxruntime" (the default path) or the TF.js backend of the reference ("wasm"). */
  readonly backend: string;
  /** Characters of a text that can reach the kept tokens; the rest is cut before tokenizing. */
  readonly charBudget: number;
  /** The ids the model reads for `text` (1 to MAX_TOKENS of them). */
  tokenize(text: string): number[];
  /** Unit vectors for token-id rows, in order. Rows of similar length batch best. */
  run(batch: number[][]): Promise<Float32Array[]>;
}
