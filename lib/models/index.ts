/**
 * Public API of models as artefacts: `.capsulegraph` (convert, load, run), `.capsulemod` modules (convert,
 * the registry, the router, the loader), the safe archive layer, ONNX quantisation and safetensors.
 */
export {
  type Compression,
  DEFAULT_MAX_UNPACK_BYTES,
  DEFAULT_MAX_UNPACK_FILES,
  type PackOptions,
  packArchive,
  sha256File,
  type UnpackLimits,
  unpackArchive,
} from "./archive.js";
export {
  CAPSULEGRAPH_FORMAT,
  type CapsuleGraphMeta,
  type ConvertOptions,
  convertToCapsuleGraph,
  type ModelKind,
  modelKind,
} from "./capsulegraph.js";
export { type ConvertedModule, type ConvertModuleOptions, convertModule } from "./convert-module.js";
export { causalFidelity, encoderFidelity, FIDELITY_PROMPTS, FIDELITY_SENTENCES } from "./fidelity.js";
export {
  type LoadCapsuleGraphOptions,
  type LoadedCapsuleGraph,
  loadCapsuleGraph,
  unpackCapsuleGraph,
} from "./load-capsulegraph.js";
export {
  type AttachedModule,
  type AttachResult,
  type LoaderOptions,
  ModuleLoader,
} from "./loader.js";
export { type LoraInfo, peftToGgufLora, readLoraAdapter } from "./lora.js";
export { type ModuleEntry, ModuleIndex, type ModuleMatch } from "./module-index.js";
export {
  DEVICE_CONSTRAINTS,
  type DeviceConstraint,
  MODULE_DTYPES,
  MODULE_FORMAT,
  MODULE_TYPES,
  type ModuleDtype,
  type ModuleMeta,
  type ModuleType,
  parseModuleMeta,
} from "./module-meta.js";
export { hasModules, type ModuleSystem, type ModuleSystemOptions, openModules } from "./modules.js";
export { type QuantBits, type QuantizeReport, quantizeOnnx } from "./quantize.js";
export {
  type AddModuleOptions,
  LocalModuleRegistry,
  type ModuleRegistry,
  verifyModuleFolder,
} from "./registry.js";
export {
  ModuleRouter,
  type RouteContext,
  type RoutedModule,
  type RouteReason,
  type RouterDecision,
  type RouterOptions,
} from "./router.js";
export { type CapsuleGraphRun, type RunCapsuleGraphOptions, runCapsuleGraph } from "./run-capsulegraph.js";
export {
  dequantizeState,
  encodeSafetensors,
  quantizeState,
  readSafetensors,
  type SafeTensor,
  type SafetensorsDtype,
  toFloat32,
} from "./safetensors.js";
export { type TokenEmbeddingTable, tokenEmbeddings } from "./token-embeddings.js";
