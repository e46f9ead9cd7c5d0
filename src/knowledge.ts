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
} from "./core/ingest/chunk.ts";
export { type ChunkedFile, type ChunkFileOptions, chunkFile } from "./core/ingest/chunk-file.ts";
export {
  type MarkdownDocument,
  type ToMarkdownOptions,
  toMarkdown,
} from "./core/ingest/transform.ts";
export {
  BlobKnowledgeBackend,
  type BlobKnowledgeBackendOptions,
  checksumOf,
  type MetadataDocument,
} from "./core/knowledge/blob-backend.ts";
export { coreKnowledgeBackends, createKnowledgeBackend } from "./core/knowledge/factory.ts";
export {
  INGESTION_TOPIC,
  type IngestionError,
  type IngestionProgress,
  IngestionResult,
  type IngestOptions,
  KnowledgeIngestionManager,
  type KnowledgeIngestionManagerOptions,
} from "./core/knowledge/ingestion.ts";
export { InMemoryKnowledgeBackend } from "./core/knowledge/memory-backend.ts";
export {
  IngestionStatus,
  incrementVersion,
  KnowledgeBaseInfo,
  type KnowledgeBaseInfoDict,
  KnowledgeFile,
  type KnowledgeFileDict,
  validateIngestionStatus,
} from "./core/knowledge/models.ts";
export { contentTypeFor, METADATA_FILE, validateFilePath } from "./core/knowledge/paths.ts";
export type {
  KnowledgeResourceBackend,
  PutFileEntry,
  PutFileOptions,
} from "./core/knowledge/types.ts";
export { type RagConfig, type RagHostOptions, ragConfigSchema } from "./core/rag/config.ts";
export {
  type CommitStats,
  DomainUpdate,
  ID_SEPARATOR,
  type PutSourceOptions,
} from "./core/rag/domain-update.ts";
export {
  EchoEmbeddingProvider,
  type EmbeddingProvider,
  OpenAICompatibleEmbeddingProvider,
  type OpenAICompatibleOptions,
} from "./core/rag/embeddings.ts";
export {
  type FusedHit,
  fuseRrf,
  normaliseLexical,
  type RankedHit,
  RRF_K,
} from "./core/rag/fusion.ts";
export {
  PIPELINE_VERSION,
  RAGKnowledgeBase,
  type RAGKnowledgeBaseOptions,
} from "./core/rag/knowledge-base.ts";
export type { KnowledgeBaseJson } from "./core/rag/persist.ts";
export type { QueryOptions, SearchResult, SourceState, StoredChunk } from "./core/rag/types.ts";
export {
  MemoryVectorStore,
  type MemoryVectorStoreJson,
  type VectorHit,
  type VectorQueryOptions,
  type VectorRecord,
  type VectorStore,
} from "./core/rag/vector-store.ts";
export { Bm25Index } from "./core/search/bm25.ts";
export { DEFAULT_BM25_OPTIONS, resolveBm25Options } from "./core/search/options.ts";
export { stemEnglish } from "./core/search/stemmer.ts";
export {
  createTokenizer,
  normalizeText,
  Stemmer,
  type Tokenizer,
  type TokenizerOptions,
  tokenize,
} from "./core/search/tokenize.ts";
export type {
  Bm25IndexJson,
  Bm25Options,
  SearchDocument,
  SearchHit,
  SearchOptions,
} from "./core/search/types.ts";
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
