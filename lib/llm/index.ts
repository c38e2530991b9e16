/** Public language-model API: the `Runner` interface, opening and pulling models, profiles, GGUF files. */
export { type GgufHeader, readGgufHeader } from "./gguf-header.js";
export { type GgufTensor, type GgufValue, gguf, writeGguf } from "./gguf-writer.js";
export {
  listModels,
  type ModelFileInfo,
  type ModelOptions,
  modelInfo,
  openRunner,
  type PullOptions,
  pullModel,
  type ResolvedModel,
  resolveModel,
} from "./models.js";
export { type LlmSettings, llmSettings, PROFILE_NAMES, PROFILES, type ProfileName } from "./profiles.js";
export type { GenerateOptions, ModelInfo, Runner } from "./runner.js";
