/** Public ingest API: readers, chunking, tags, path expansion and the `ingest` pipeline. */
export {
  type Chunk,
  type ChunkOptions,
  chunkText,
  DEFAULT_CHUNK_SIZE,
  DEFAULT_OVERLAP,
  resolveChunkOptions,
} from "./chunk.js";
export { type CsvRow, csvDocuments, parseCsv } from "./csv.js";
export type { IngestDocument } from "./document.js";
export { decodeEntities } from "./entities.js";
export { type FrontMatter, parseFrontMatter } from "./frontmatter.js";
export { type HtmlText, htmlToText } from "./html.js";
export {
  capsuleInputs,
  IngestCancelledError,
  type IngestOptions,
  type IngestProgress,
  type IngestReport,
  type IngestSkip,
  type IngestTarget,
  ingest,
  sourceFilter,
} from "./ingest.js";
export { jsonDocuments, jsonlDocuments } from "./json.js";
export {
  decodeText,
  isSupported,
  parseDocuments,
  readDocuments,
  readSource,
  type SkipRecord,
  type SourceFile,
  SUPPORTED_EXTENSIONS,
} from "./readers.js";
export { recordContent, TEXT_FIELDS } from "./records.js";
export { mergeTags, normalizeTags, pathTags, splitTagString } from "./tags.js";
export { expandPaths, type WalkEntry } from "./walk.js";
