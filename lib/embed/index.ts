/** Public embedding API: the `Embedder` interface, the spec-driven factory and the two backends. */
export { type CreateEmbedderOptions, createEmbedder } from "./create-embedder.js";
export type { Embedder, EmbedderSpec } from "./embedder.js";
export { loadTransformersEmbedder } from "./transformers.js";
export { loadUseLite, type UseLiteOptions } from "./use-lite.js";
