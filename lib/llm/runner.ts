/**
 * One interface for every language model SIGLA runs (seed §12: the runner). A backend (GGUF through
 * node-llama-cpp, ONNX through transformers.js) loads a model once and streams tokens; the pipeline only
 * ever sees this interface, so a turn is the same code whichever model — or none — is configured.
 */

/** How one generation runs. */
export interface GenerateOptions {
  /** Most tokens to generate (default 256). */
  maxTokens?: number;
  /** 0 is greedy (the default: answers should be reproducible). */
  temperature?: number;
  /** A system instruction, put where the model's chat template wants it. */
  system?: string;
  /** Generation stops at the first of these strings (not included in the output). */
  stop?: string[];
  /** Aborting stops generation at the next token; the stream then ends with `SIGLA_CANCELLED`. */
  signal?: AbortSignal;
}

/** What a model file or folder is, as far as loading it told. */
export interface ModelInfo {
  /** The file or folder it was loaded from. */
  path: string;
  backend: "gguf" | "onnx";
  /** Architecture named by the model (`llama`, `qwen2`, …). */
  architecture: string;
  /** Tokens the loaded context holds. */
  contextSize: number;
  /** Whether the model ships a chat template the runner applies. */
  chatTemplate: boolean;
  /** Parameters, when the format tells. */
  parameters?: number;
  /** Quantisation (`Q4_0`, `q8`, `fp32`, …), when the format tells. */
  quantization?: string;
  /** Whether layers run on a GPU. */
  gpu: boolean;
}

/** A loaded language model. */
export interface Runner {
  readonly info: ModelInfo;
  /**
   * Streams the answer to `prompt` (a user message: the runner applies the model's chat template when it
   * has one) as text pieces, one or more tokens each, in order.
   */
  generate(prompt: string, options?: GenerateOptions): AsyncIterable<string>;
  /** Tokens `text` takes with this model's tokenizer. */
  countTokens(text: string): Promise<number>;
  /** Embeddings from the model itself, where the backend can (undefined when it cannot). */
  embed?(texts: string[]): Promise<Float32Array[]>;
  /**
   * GGUF only: applies exactly these LoRA adapters (GGUF adapter files, scale default 1) from the next
   * generation on, waiting for a running one; adapters no longer listed are released from memory, and
   * `[]` gives the base model back. Each is checked against the model first; on an error the adapters
   * applied before stay.
   */
  setAdapters?(adapters: readonly { path: string; scale?: number }[]): Promise<void>;
  /** Frees the model; the runner is unusable afterwards. */
  close(): Promise<void>;
}
