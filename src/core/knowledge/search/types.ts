/**
 * What a search returns and takes.
 * @module
 */
import type { MetadataFilter } from "../index/filter.ts";

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
  /**
   * Conditions on result metadata, as data: equality or `{ $in: [...] }` per field, e.g.
   * `{ domain_id: "support", lang: { $in: ["en", "de"] } }`. `domain_id` picks the knowledge
   * bases searched.
   */
  filter?: MetadataFilter;
  /** Drop results below this similarity (default 0). */
  minSimilarity?: number;
  /** One result per knowledge file (its best chunk), e.g. to rank documents. */
  perSource?: boolean;
  signal?: AbortSignal;
}
