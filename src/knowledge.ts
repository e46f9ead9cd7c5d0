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
  BlobKnowledgeBackend,
  type BlobKnowledgeBackendOptions,
  checksumOf,
  type MetadataDocument,
} from "./core/knowledge/blob-backend.ts";
export { coreKnowledgeBackends, createKnowledgeBackend } from "./core/knowledge/factory.ts";
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
export type { KnowledgeResourceBackend, PutFileOptions } from "./core/knowledge/types.ts";
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
