/**
 * The structural subset of Cloudflare's `KVNamespace` that {@link KVRecordStore} uses, so the
 * adapter needs no platform types: a Worker's `env.MY_KV` fits it (a type test checks this
 * against `@cloudflare/workers-types`).
 * @module
 */

/** One page of `KVNamespace.list`: a cursor follows unless the listing is complete. */
export type KVListLike<M> = { keys: { name: string; metadata?: M }[] } & (
  | { list_complete: false; cursor: string }
  | { list_complete: true }
);

/** The calls of a Workers KV binding the store makes. */
export interface KVNamespaceLike {
  /** Bulk read (at most 100 keys per call). */
  get(keys: string[], type: "text"): Promise<Map<string, string | null>>;
  getWithMetadata<M>(key: string): Promise<{ value: string | null; metadata: M | null }>;
  put(key: string, value: string, options?: { metadata?: unknown }): Promise<void>;
  delete(key: string): Promise<void>;
  list<M>(options?: { prefix?: string; limit?: number; cursor?: string }): Promise<KVListLike<M>>;
}
