/**
 * Knowledge ingestion's text pipeline: knowledge files (markdown, text, JSON, YAML, CSV, and gzip
 * of any of them) to markdown, and markdown to heading-aware chunks. Web standards only.
 * @example
 * import { chunkFile } from "./index.ts";
 * const result = await chunkFile("faq.md", bytes); // null for an unsupported type
 * for (const chunk of result?.chunks ?? []) console.log(chunk.headingPath, chunk.text);
 * @module
 */
export {
  type ChunkedMarkdown,
  type ChunkOptions,
  chunkMarkdown,
  DEFAULT_CHUNK_OVERLAP,
  DEFAULT_MAX_CHUNK_SIZE,
  type MarkdownChunk,
} from "./chunk.ts";
export { type ChunkedFile, type ChunkFileOptions, chunkFile } from "./chunk-file.ts";
export { type CsvRecord, csvToMarkdown, parseCsv } from "./csv.ts";
export { decodeUtf8 } from "./decode.ts";
export { detectFileType, FileKind, type FileType } from "./file-kind.ts";
export { type FrontMatterSplit, splitFrontMatter } from "./front-matter.ts";
export { DEFAULT_MAX_DECOMPRESSED_BYTES, gunzipCapped } from "./gunzip.ts";
export { MAX_YAML_ALIAS_COUNT, parseJsonText, parseYamlText } from "./parse-structured.ts";
export { renderStructured } from "./render-structured.ts";
export { type MarkdownDocument, type ToMarkdownOptions, toMarkdown } from "./transform.ts";
