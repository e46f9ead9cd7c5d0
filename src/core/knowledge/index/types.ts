/**
 * The {@link SearchIndex} port: where chunks are indexed and searched, per knowledge base. The
 * built-in engine (`BlobSearchIndex`: BM25F plus vectors, persisted through a blob store) is one
 * implementation; engine-backed ones (SQLite/D1 FTS5, PostgreSQL, Vectorize) implement the same
 * calls. Every implementation runs the search-index conformance suite (`botknobs/testing`).
 * @module
 */
import type { JsonObject } from "../../validate.ts";
import type { FilterOperator, MetadataFilter } from "./filter.ts";

/**
 * Which knowledge base an index entry belongs to: its domain id and that domain's generation
 * (new on every `createKb`), so a re-created domain never sees what an earlier one indexed.
 */
export interface IndexScope {
  domainId: string;
  generation: string;
}

/**
 * A scope to search, as of one of its revisions when `revision` is given (a commit id the index
 * keeps; see {@link SearchIndex.revisions}); otherwise as it is now.
 */
export interface QueryScope extends IndexScope {
  revision?: string;
}

/** One revision of a scope that an index keeps: it can be searched as of it. */
export interface IndexRevision {
  /** The commit id (`IndexCommit.version`). */
  revision: string;
  /** When it was committed (ISO-8601), when the index knows. */
  committedAt: string | null;
  /** True for the scope's current revision (listed first). */
  current: boolean;
}

/**
 * Where a revision stands: searchable (`kept`), cut from the history (`pruned`, as far as the
 * index remembers), or not one the index knows (`unknown`).
 */
export type RevisionState = "kept" | "pruned" | "unknown";

/** One chunk handed to an index, with its text and (with embeddings) its vector. */
export interface IndexChunk {
  /** Stable across re-ingestions of the same file: `<domain>\x1f<path>\x1f<position>`. */
  chunkId: string;
  /** The knowledge file's path within its domain. */
  source: string;
  chunkIndex: number;
  text: string;
  headingPath: string;
  headings: string[];
  lineNumber: number;
  /** The file's own metadata (filters can match it). */
  metadata: JsonObject;
}

/** What an index keeps of each file it indexed: incremental ingestion compares it. */
export interface IndexedSource {
  /** SHA-256 of the file's bytes as indexed. */
  checksum: string;
  /** The chunking and embedding settings it was indexed with: a change re-indexes the file. */
  fingerprint: string;
  /** How many chunks it has. */
  chunks: number;
}

/** What a commit changed. */
export interface IndexCommit {
  chunksAdded: number;
  chunksRemoved: number;
  filesRemoved: number;
  /** The scope's version after the commit: its `commitId`. */
  version: string;
}

/** Options of {@link SearchIndex.stage}. */
export interface StageOptions {
  /** The embedding provider's name when chunks carry vectors (a scope holds one provider's vectors). */
  embedding?: string | null;
  /** Start from nothing: the commit replaces the whole scope (a rebuild of a damaged index). */
  fresh?: boolean;
  /**
   * Commit only over the version the stage began from (`IndexStage.version`): when another
   * commit landed on the scope meanwhile, `commit()` rejects with `StaleIndexError` and commits
   * nothing, rather than keeping both. What a run indexed was planned against that version; a
   * run told so plans again against the new one.
   */
  exclusive?: boolean;
  /**
   * The version the commit gives the scope (default: a new random id; at most 200 characters).
   * A run in batches names each batch's commit, so that after a crash it can tell its own
   * unrecorded commit from another writer's.
   */
  commitId?: string;
}

/**
 * A staged change of one scope: nothing is visible until `commit`, which makes all of it visible
 * at once (a query sees the scope before or after, never a mix).
 */
export interface IndexStage {
  /**
   * The scope's version the stage began from: the id of its last commit (`""` when nothing was
   * ever committed). Every commit changes it.
   */
  readonly version: string;
  /** The files indexed at `version` (none for a `fresh` stage): plan the update against these. */
  readonly indexed: ReadonlyMap<string, IndexedSource>;
  /** Replaces `path`'s chunks at commit (vectors in chunk order, when there are vectors). */
  put(
    path: string,
    source: Omit<IndexedSource, "chunks">,
    chunks: IndexChunk[],
    vectors?: Float32Array[] | null,
  ): Promise<void>;
  /** Removes `path`'s chunks at commit. */
  remove(path: string): void;
  /**
   * Makes the change visible. Other writers' commits to the scope meanwhile are kept under it,
   * unless the stage is `exclusive`: then it rejects with `StaleIndexError` instead.
   */
  commit(): Promise<IndexCommit>;
  /** Drops the change. */
  abort(): Promise<void>;
}

/** One search. */
export interface IndexQuery {
  /** The query text for lexical search (empty or absent: no lexical side). */
  text?: string;
  /** The query's vector for vector search (absent: no vector side). */
  vector?: Float32Array | null;
  /** The embedding provider that made `vector`; vectors of another provider are not compared. */
  embedding?: string | null;
  /** How many hits (1–1000). */
  k: number;
  /** Conditions on result metadata (see `metadataOf`). */
  filter?: MetadataFilter;
  /** One hit per source file (its best chunk). */
  perSource?: boolean;
}

/** One hit, best first. */
export interface IndexHit {
  /** The knowledge base it belongs to. */
  scope: IndexScope;
  chunk: IndexChunk;
  /** 0–1: cosine (vector only), BM25 over the query's best (lexical only), fused RRF (hybrid). */
  similarity: number;
  scores: { lexical: number | null; vector: number | null; fused: number };
}

/** What an index can do, as data; the conformance suite gates on it. */
export interface SearchIndexCapabilities {
  /** Ranks by the query text. */
  lexical: boolean;
  /** Ranks by the query vector. */
  vector: boolean;
  /** Filter operators it evaluates (pushed down to the engine where it has one). */
  filters: readonly FilterOperator[];
  /** A new process (or isolate) over the same storage serves what was committed. */
  persistent: boolean;
  /**
   * Past revisions of a scope stay searchable (`query` with a scope's `revision`, for as long as
   * its history keeps them). Absent or false: only the current revision is.
   */
  revisions?: boolean;
}

/** Where chunks are indexed and searched. */
export interface SearchIndex {
  /** A short name for errors (`"blob"`, `"d1-fts5"`). */
  readonly name: string;
  readonly capabilities: SearchIndexCapabilities;
  initialize(): Promise<void>;
  close(): Promise<void>;
  /** The files indexed in a scope (empty when nothing was committed). */
  sources(scope: IndexScope): Promise<ReadonlyMap<string, IndexedSource>>;
  /** Whether anything (even an empty commit) was committed for the scope. */
  exists(scope: IndexScope): Promise<boolean>;
  /** Starts a staged change of one scope. */
  stage(scope: IndexScope, options?: StageOptions): Promise<IndexStage>;
  /**
   * The best chunks of the given scopes, best first; a scope with a `revision` as of that
   * revision: `RevisionGoneError` when the history no longer keeps it, `ValidationError` (naming
   * `revision`) when it is not one of the scope's. An index without `revisions` takes only the
   * current revision.
   */
  query(scopes: QueryScope[], query: IndexQuery): Promise<IndexHit[]>;
  /** Optional. The revisions of a scope that can be searched, newest (the current one) first. */
  revisions?(scope: IndexScope): Promise<IndexRevision[]>;
  /** Optional. Where one revision of a scope stands (see {@link RevisionState}). */
  revisionState?(scope: IndexScope, revision: string): Promise<RevisionState>;
  /** Removes everything of a scope; false when there was nothing. */
  remove(scope: IndexScope): Promise<boolean>;
  /** The scopes that hold a commit. */
  scopes(): Promise<IndexScope[]>;
  /**
   * Optional. Removes what commits that never landed left in the index's storage (a process that
   * died between writing a commit's data and listing it) once it is older than `olderThanMs` by
   * the index's clock (default one hour, so that commits under way are safe; a negative age is a
   * `ValidationError`); what commits listed always stays. Returns how many objects it removed. An
   * index that leaves nothing behind (an engine's transactions) has no `sweep`.
   */
  sweep?(options?: { olderThanMs?: number }): Promise<number>;
}

/** The metadata a hit's chunk is filtered on and returned with. */
export function metadataOf(
  scope: Pick<IndexScope, "domainId">,
  chunk: IndexChunk,
): Record<string, unknown> {
  return {
    ...chunk.metadata,
    domain_id: scope.domainId,
    source_path: chunk.source,
    chunk_index: chunk.chunkIndex,
    chunk_id: chunk.chunkId,
    heading_path: chunk.headingPath,
    headings: chunk.headings,
    line_number: chunk.lineNumber,
  };
}
