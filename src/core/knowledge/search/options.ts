/**
 * The options of a `RAGKnowledgeBase` (types only), apart from the class so that the
 * configuration reader (`config.ts`) builds them without importing the class.
 * @module
 */
import type { ChunkFileOptions } from "../chunk/chunk-file.ts";
import type { EmbeddingProvider } from "../embed/embedding-provider.ts";
import type { Bm25Options } from "../index/bm25/types.ts";
import type { SearchIndex } from "../index/types.ts";
import type { KnowledgeResourceBackend } from "../store/types.ts";

/** Options of `RAGKnowledgeBase`. */
export interface RAGKnowledgeBaseOptions {
  /** Makes the knowledge base semantic (and hybrid); without one it is lexical only. */
  embeddingProvider?: EmbeddingProvider | null;
  /** Where chunks are indexed and searched (default: a `BlobSearchIndex` in memory). */
  index?: SearchIndex;
  /** Chunking: `maxChunkSize` (500) and `chunkOverlap` (50) characters, `maxDecompressedBytes`. */
  chunking?: ChunkFileOptions;
  /** BM25 parameters of the default index. */
  bm25?: Bm25Options;
  /**
   * The knowledge backend whose knowledge bases are searched: each domain is looked up there, so
   * a deleted knowledge base answers nothing and a re-created one only what was ingested since.
   * A `KnowledgeIngestionManager` sets its source here when none is set.
   */
  knowledge?: KnowledgeResourceBackend | null;
}
