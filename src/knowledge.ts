/**
 * Knowledge: the seed's `dataknobs_bots.knowledge`, in the order a file travels it — stored
 * (knowledge backends over blob stores), chunked, embedded, indexed (the search-index port and
 * the built-in engine), searched (`RAGKnowledgeBase`); `KnowledgeIngestionManager` runs a
 * knowledge base from the first step to the last.
 * @module
 */

export {
  HTTP_LISTING_MANIFEST,
  HttpBlobStore,
  type HttpBlobStoreOptions,
} from "./core/blob/http-blob-store.ts";
// Blob stores: where bytes live.
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
// Chunking options (the chunker itself is internal: ingestion imports it with the first file).
export type { ChunkOptions } from "./core/knowledge/chunk/chunk.ts";
export type { ChunkFileOptions } from "./core/knowledge/chunk/chunk-file.ts";
export type { ToMarkdownOptions } from "./core/knowledge/chunk/transform.ts";
// Embedding.
export { EchoEmbeddingProvider } from "./core/knowledge/embed/echo-embedding-provider.ts";
export type {
  EmbeddingProvider,
  EmbeddingProviderCapabilities,
} from "./core/knowledge/embed/embedding-provider.ts";
export {
  OpenAICompatibleEmbeddingProvider,
  type OpenAICompatibleOptions,
} from "./core/knowledge/embed/openai-compatible-embedding-provider.ts";
// Indexing: the search-index port, the built-in engine, vectors and filters.
export {
  BlobSearchIndex,
  type BlobSearchIndexOptions,
  type IndexHead,
  type SegmentRef,
} from "./core/knowledge/index/blob-search-index.ts";
export type { Bm25Options } from "./core/knowledge/index/bm25/types.ts";
export {
  type FieldCondition,
  type FilterOperator,
  type FilterValue,
  type MetadataFilter,
  matchesFilter,
  validateFilter,
} from "./core/knowledge/index/filter.ts";
export {
  MemoryVectorStore,
  type MemoryVectorStoreJson,
} from "./core/knowledge/index/memory-vector-store.ts";
export type {
  IndexChunk,
  IndexCommit,
  IndexedSource,
  IndexHit,
  IndexQuery,
  IndexRevision,
  IndexScope,
  IndexStage,
  QueryScope,
  RevisionState,
  SearchIndex,
  SearchIndexCapabilities,
  StageOptions,
} from "./core/knowledge/index/types.ts";
export type {
  VectorHit,
  VectorQueryOptions,
  VectorRecord,
  VectorStore,
  VectorStoreCapabilities,
} from "./core/knowledge/index/vector-store.ts";
// Where ingestion runs (the in-process manager, the Worker's Durable Object, your own).
export type {
  IngestionJobDict,
  IngestionJobOptions,
  IngestionJobStatus,
  IngestionScheduler,
  ScheduledIngestion,
} from "./core/knowledge/ingest/scheduler.ts";
// Ingestion: from a knowledge backend's files to the index.
export {
  INGESTION_TOPIC,
  type IngestionError,
  type IngestionProgress,
  IngestionResult,
  type IngestOptions,
  KnowledgeIngestionManager,
  type KnowledgeIngestionManagerOptions,
} from "./core/knowledge/ingestion.ts";
// Searching.
export type { RagConfig, RagHostOptions } from "./core/knowledge/search/config.ts";
export {
  type CommitStats,
  DomainUpdate,
  type PutSourceOptions,
} from "./core/knowledge/search/domain-update.ts";
export {
  type BeginUpdateOptions,
  RAGKnowledgeBase,
  type RAGKnowledgeBaseOptions,
} from "./core/knowledge/search/knowledge-base.ts";
export type {
  KnowledgeView,
  QueryOptions,
  SearchResult,
} from "./core/knowledge/search/types.ts";
// Storing knowledge files.
export {
  BlobKnowledgeBackend,
  type BlobKnowledgeBackendOptions,
} from "./core/knowledge/store/blob-backend.ts";
export { createKnowledgeBackend } from "./core/knowledge/store/factory.ts";
export { InMemoryKnowledgeBackend } from "./core/knowledge/store/memory-backend.ts";
export {
  IngestionStatus,
  KnowledgeBaseInfo,
  type KnowledgeBaseInfoDict,
  KnowledgeFile,
  type KnowledgeFileDict,
} from "./core/knowledge/store/models.ts";
export type {
  KnowledgeResourceBackend,
  PutFileEntry,
  PutFileOptions,
} from "./core/knowledge/store/types.ts";
export type { ByteSource, ByteStream } from "./core/util/streams.ts";
