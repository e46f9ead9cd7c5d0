/**
 * Knowledge: raw file storage per knowledge base (the seed's `dataknobs_bots.knowledge`).
 * @module
 */
export { MemoryBlobStore } from "./core/blob/memory-blob-store.ts";
export type {
  BlobBody,
  BlobList,
  BlobListOptions,
  BlobMeta,
  BlobPutOptions,
  BlobRange,
  BlobStore,
  BlobStoreCapabilities,
} from "./core/blob/types.ts";
export {
  type ChunkedMarkdown,
  type ChunkOptions,
  chunkMarkdown,
  type MarkdownChunk,
} from "./core/knowledge/chunk/chunk.ts";
export {
  type ChunkedFile,
  type ChunkFileOptions,
  chunkFile,
} from "./core/knowledge/chunk/chunk-file.ts";
export {
  type MarkdownDocument,
  type ToMarkdownOptions,
  toMarkdown,
} from "./core/knowledge/chunk/transform.ts";
export {
  EchoEmbeddingProvider,
  type EmbeddingProvider,
  OpenAICompatibleEmbeddingProvider,
  type OpenAICompatibleOptions,
} from "./core/knowledge/embed/embeddings.ts";
export { Bm25Index } from "./core/knowledge/index/bm25/bm25.ts";
export { DEFAULT_BM25_OPTIONS, resolveBm25Options } from "./core/knowledge/index/bm25/options.ts";
export { stemEnglish } from "./core/knowledge/index/bm25/stemmer.ts";
export {
  createTokenizer,
  normalizeText,
  Stemmer,
  type Tokenizer,
  type TokenizerOptions,
  tokenize,
} from "./core/knowledge/index/bm25/tokenize.ts";
export type {
  Bm25IndexJson,
  Bm25Options,
  SearchDocument,
  SearchHit,
  SearchOptions,
} from "./core/knowledge/index/bm25/types.ts";
export {
  type CommitStats,
  DomainUpdate,
  ID_SEPARATOR,
  type PutSourceOptions,
} from "./core/knowledge/index/domain-update.ts";
export type { KnowledgeBaseJson } from "./core/knowledge/index/persist.ts";
export {
  MemoryVectorStore,
  type MemoryVectorStoreJson,
  type VectorHit,
  type VectorQueryOptions,
  type VectorRecord,
  type VectorStore,
} from "./core/knowledge/index/vector-store.ts";
export {
  INGESTION_TOPIC,
  type IngestionError,
  type IngestionProgress,
  IngestionResult,
  type IngestOptions,
  KnowledgeIngestionManager,
  type KnowledgeIngestionManagerOptions,
} from "./core/knowledge/ingestion.ts";
export {
  type RagConfig,
  type RagHostOptions,
  ragConfigSchema,
} from "./core/knowledge/search/config.ts";
export {
  type FusedHit,
  fuseRrf,
  normaliseLexical,
  type RankedHit,
  RRF_K,
} from "./core/knowledge/search/fusion.ts";
export {
  PIPELINE_VERSION,
  RAGKnowledgeBase,
  type RAGKnowledgeBaseOptions,
} from "./core/knowledge/search/knowledge-base.ts";
export type {
  QueryOptions,
  SearchResult,
  SourceState,
  StoredChunk,
} from "./core/knowledge/search/types.ts";
export {
  BlobKnowledgeBackend,
  type BlobKnowledgeBackendOptions,
} from "./core/knowledge/store/blob-backend.ts";
export { coreKnowledgeBackends, createKnowledgeBackend } from "./core/knowledge/store/factory.ts";
export { InMemoryKnowledgeBackend } from "./core/knowledge/store/memory-backend.ts";
export {
  IngestionStatus,
  incrementVersion,
  KnowledgeBaseInfo,
  type KnowledgeBaseInfoDict,
  KnowledgeFile,
  type KnowledgeFileDict,
  validateIngestionStatus,
} from "./core/knowledge/store/models.ts";
export { contentTypeFor, METADATA_FILE, validateFilePath } from "./core/knowledge/store/paths.ts";
export type {
  KnowledgeResourceBackend,
  PutFileEntry,
  PutFileOptions,
} from "./core/knowledge/store/types.ts";
export { Sha256 } from "./core/util/sha256.ts";
export {
  type ByteSource,
  type ByteStream,
  bytesToStream,
  isByteStream,
  iterable,
  readAll,
  rechunk,
} from "./core/util/streams.ts";
