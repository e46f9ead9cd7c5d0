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
  /**
   * Search as of this revision of the one knowledge base `filter.domain_id` names (an index
   * commit id, see `RAGKnowledgeBase.revisions`): `RevisionGoneError` once the index history no
   * longer keeps it, `ValidationError` naming `revision` when it is not one of that knowledge base's.
   */
  revision?: string;
  signal?: AbortSignal;
}

/**
 * One knowledge base as of one revision (`RAGKnowledgeBase.view`): what a bot pinned to it
 * searches. Searching throws `RevisionGoneError` once the revision is no longer kept.
 * @example
 * const view = rag.view({ kb: "support", revision: "4c1f…" });
 * const results = await view.search("reset password", { k: 3 });
 */
export interface KnowledgeView {
  readonly kb: string;
  readonly revision: string;
  /** `RAGKnowledgeBase.query` on this knowledge base as of this revision (more filters may be given). */
  search(query: string, options?: Omit<QueryOptions, "revision">): Promise<SearchResult[]>;
}
