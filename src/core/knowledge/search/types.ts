/**
 * Shapes shared by the knowledge base and its domain updates.
 * @module
 */
import type { JsonObject } from "../../validate.ts";

/** One stored chunk. `id` is internal (it carries the file version); `chunkId` is stable. */
export interface StoredChunk {
  id: string;
  /** `<domain>\x1f<path>\x1f<position>`: stable across re-ingestions of the same file. */
  chunkId: string;
  domainId: string;
  source: string;
  chunkIndex: number;
  text: string;
  headingPath: string;
  headings: string[];
  lineNumber: number;
  /** The file's own metadata (from `putFile`). */
  fileMetadata: JsonObject;
}

/** What a knowledge base remembers of each ingested file. */
export interface SourceState {
  checksum: string;
  /** The chunking settings it was chunked with: a change re-chunks every file. */
  fingerprint: string;
  /** Internal ids of its chunks, in order. */
  ids: string[];
}

/** One search result. */
export interface SearchResult {
  text: string;
  /** The same as `text` (the seed's name). */
  content: string;
  /** The knowledge file's path within its domain. */
  source: string;
  headingPath: string;
  /** 0–1, best first: cosine (vector only), BM25 over the query's best (lexical only), or fused RRF (hybrid). */
  similarity: number;
  /** `domain_id`, `chunk_index`, `heading_path`, `headings`, `line_number`, `chunk_id`, `source_path`, `scores`, and the file's metadata. */
  metadata: Record<string, unknown>;
}

/** Options of `query`. */
export interface QueryOptions {
  /** How many results (default 5, at most 1000). */
  k?: number;
  /** Exact equality on result metadata, e.g. `{ domain_id: "support" }`. */
  filter?: Record<string, unknown>;
  /** Drop results below this similarity (default 0). */
  minSimilarity?: number;
  /** One result per knowledge file (its best chunk), e.g. to rank documents. */
  perSource?: boolean;
  signal?: AbortSignal;
}
