/**
 * The {@link VectorStore} port: its records, queries and capabilities (types only). The memory
 * implementation is `MemoryVectorStore` (memory-vector-store.ts); Vectorize joins through
 * `botknobs/vectorize`.
 * @module
 */
import type { FilterOperator, FilterValue, MetadataFilter } from "./filter.ts";

/** One stored vector, with the metadata a query can filter on. */
export interface VectorRecord {
  id: string;
  vector: Float32Array;
  metadata?: Readonly<Record<string, FilterValue>>;
}

/** One search hit, `score` being the cosine similarity. */
export interface VectorHit {
  id: string;
  score: number;
}

/** Options of {@link VectorStore.query}. */
export interface VectorQueryOptions {
  /** How many hits at most. */
  k: number;
  /** Conditions on the records' metadata (data, so engines such as Vectorize apply them). */
  filter?: MetadataFilter;
}

/** What a vector store can do, as data; the conformance suite gates on it. */
export interface VectorStoreCapabilities {
  /** Filter operators it applies. */
  filters: readonly FilterOperator[];
  /**
   * The bound (ms) on how late a completed `upsert` or `delete` shows in `query` and `count`;
   * absent or 0 when writes show at once (memory). Vectorize applies mutations asynchronously,
   * so it declares a lag: a write that completed at time t is reflected by every `query` and
   * `count` that starts after t + lag. Callers that must read their own writes call
   * `settled()` when the store has it, or wait the lag out.
   */
  visibilityLagMs?: number;
  /** The largest `k` a query takes (a larger one is a `ValidationError`); absent: no limit. */
  maxK?: number;
  /**
   * What is written outlives the object: another instance over the same backing (another
   * process or isolate) finds it. False for memory.
   */
  persistent: boolean;
}

/**
 * Where vectors live (memory; Vectorize and other engines through the adapters). Every
 * implementation runs the vector-store conformance suite (`botknobs/testing`).
 */
export interface VectorStore {
  readonly name: string;
  /** Vector length; `null` until known (the first upsert, or the engine's description). */
  readonly dimensions: number | null;
  readonly capabilities: VectorStoreCapabilities;
  /** Gets the store ready (idempotent: a second call does nothing more). */
  initialize(): Promise<void>;
  /** Releases what the store holds (idempotent); the stored vectors stay where they are. */
  close(): Promise<void>;
  /** Adds or replaces records by id; a vector of another length is a `ValidationError`. */
  upsert(records: VectorRecord[]): Promise<void>;
  /** Removes records; missing ids are ignored. */
  delete(ids: string[]): Promise<void>;
  /** The `k` records most similar (cosine) to `vector`, best first. */
  query(vector: Float32Array, options: VectorQueryOptions): Promise<VectorHit[]>;
  /** How many records are stored. */
  count(): Promise<number>;
  /**
   * Stores with a visibility lag may offer this: it resolves once this object's completed
   * writes show in `query` and `count` (never later than `visibilityLagMs` after the last one).
   */
  settled?(): Promise<void>;
}
