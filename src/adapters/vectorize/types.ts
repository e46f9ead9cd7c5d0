/**
 * The structural subset of a Vectorize index binding that {@link VectorizeVectorStore} uses, and
 * Vectorize's limits. Both bindings fit it: `Vectorize` (V2, mutations answer a `mutationId`) and
 * the deprecated `VectorizeIndex` (V1, mutations answer `{ ids, count }`); a type test checks
 * that the real `@cloudflare/workers-types` classes are assignable to it.
 * @module
 */

/** A metadata value Vectorize stores (no `null`: Vectorize has none). */
export type VectorizeMetadataValueLike = string | number | boolean | string[];

/** One vector as Vectorize takes and returns it. */
export interface VectorizeVectorLike {
  id: string;
  values: Float32Array | Float64Array | number[];
  namespace?: string;
  metadata?: Record<
    string,
    VectorizeMetadataValueLike | Record<string, VectorizeMetadataValueLike>
  >;
}

/** A filter in Vectorize's shape (the subset botknobs sends: implicit equality, `$eq`, `$in`). */
export type VectorizeFilterLike = Record<
  string,
  | string
  | number
  | boolean
  | null
  | { $eq?: string | number | boolean | null }
  | { $in?: (string | number | boolean)[] }
>;

/** Options of a Vectorize query. */
export interface VectorizeQueryOptionsLike {
  topK?: number;
  namespace?: string;
  returnValues?: boolean;
  returnMetadata?: boolean | "all" | "indexed" | "none";
  filter?: VectorizeFilterLike;
}

/** What `query` answers. */
export interface VectorizeMatchesLike {
  matches: { id: string; score: number }[];
  count: number;
}

/**
 * What `describe` answers: V2 says `vectorCount`, `dimensions` and `processedUpToMutation`, V1
 * `vectorsCount` and `config.dimensions`.
 */
export interface VectorizeDescriptionLike {
  vectorCount?: number;
  vectorsCount?: number;
  dimensions?: number;
  config?: { dimensions?: number } | { preset: string };
  /** V2: the id of the last mutation applied (typed a number upstream; a UUID string in fact). */
  processedUpToMutation?: string | number;
}

/**
 * The part of a Vectorize binding (`env.VECTORS`) the store calls.
 * @example
 * const index: VectorizeLike = env.VECTORS; // a `Vectorize` or `VectorizeIndex` binding
 */
export interface VectorizeLike {
  describe(): Promise<VectorizeDescriptionLike>;
  query(
    vector: Float32Array | Float64Array | number[],
    options?: VectorizeQueryOptionsLike,
  ): Promise<VectorizeMatchesLike>;
  upsert(vectors: VectorizeVectorLike[]): Promise<unknown>;
  deleteByIds(ids: string[]): Promise<unknown>;
  getByIds(ids: string[]): Promise<VectorizeVectorLike[]>;
}

/**
 * Vectorize's limits (developers.cloudflare.com/vectorize/platform/limits/), each checked
 * before the call.
 * @example
 * if (k > VECTORIZE_LIMITS.topK) throw new ValidationError(`k ${k} is over Vectorize's topK`);
 */
export const VECTORIZE_LIMITS: {
  /** Vectors per `upsert` from a Worker ("Maximum upsert batch size: 1000 (Workers)"). */
  readonly upsertBatch: number;
  /** Ids per `deleteByIds` call (the same bound as upserts). */
  readonly deleteBatch: number;
  /**
   * Ids per `getByIds` call. The limits page states none; 20, the most a query returns with
   * metadata, is a conservative choice.
   */
  readonly getBatch: number;
  /** "Maximum vector ID length: 64 bytes". */
  readonly idBytes: number;
  /** "Metadata per vector: 10KiB" (its JSON, as stored). */
  readonly metadataBytes: number;
  /** "Maximum namespace name length: 64 bytes". */
  readonly namespaceBytes: number;
  /** topK with `returnValues` or `returnMetadata: "all"`. */
  readonly topKWithValuesOrMetadata: number;
  /** topK otherwise (what this store asks for: ids and scores only). */
  readonly topK: number;
  /** "Maximum dimensions per vector: 1536". */
  readonly dimensions: number;
  /** A query's `filter`, as compact JSON, is at most 2048 bytes (metadata-filtering docs). */
  readonly filterBytes: number;
  /** A metadata index keeps the first 64 bytes of a string: filters compare no further. */
  readonly indexedStringBytes: number;
} = {
  upsertBatch: 1000,
  deleteBatch: 1000,
  getBatch: 20,
  idBytes: 64,
  metadataBytes: 10 * 1024,
  namespaceBytes: 64,
  topKWithValuesOrMetadata: 20,
  topK: 100,
  dimensions: 1536,
  filterBytes: 2048,
  indexedStringBytes: 64,
};
