/**
 * Where the Worker keeps its state: one function from the bindings to the stores.
 *
 * TODAY the registry and the knowledge files are in-isolate memory: each isolate has its own,
 * and they are gone when it is. `D1RecordStore`/`KVRecordStore` and `R2BlobStore`
 * (`src/adapters/{d1,kv,r2}`) are being written on another branch; once merged, this function
 * returns them over `env.DB` (or `env.REGISTRY`) and `env.KNOWLEDGE`, and nothing else in
 * `worker/` changes. Until then only the event hub's state (its replay window, in the Durable
 * Object's storage) survives a restart.
 * @module
 */
import type { DurableObjectNamespace } from "@cloudflare/workers-types/index.ts";
import type { D1Database, R2Bucket } from "@cloudflare/workers-types/latest";
import { MemoryBlobStore } from "../src/core/blob/memory-blob-store.ts";
import { MemoryRecordStore } from "../src/core/registry/record-store.ts";
import type { AppStores } from "../src/server/index.ts";

/**
 * Whether {@link stores} keeps the registry and knowledge beyond an isolate's life. False while
 * they are memory stores; set true with the switch to D1/R2, which enables the restart checks of
 * the registry and knowledge in `test/node/wrangler-dev.test.ts`.
 */
export const STORES_PERSIST: boolean = false;

/** The Worker's bindings (`wrangler.toml`). */
export interface Env {
  /** The `EventHub` Durable Object namespace: `/events` and cross-isolate invalidation. */
  EVENTS: DurableObjectNamespace;
  /** The registry's D1 database (`migrations/` applied). */
  REGISTRY_DB: D1Database;
  /** The knowledge files and their search index. */
  KNOWLEDGE: R2Bucket;
  /** Comma-separated read-write bearer tokens (a secret); none: the API is open. */
  BOTKNOBS_TOKENS?: string;
  /** Comma-separated read-only bearer tokens. */
  BOTKNOBS_READ_TOKENS?: string;
  /** `"1"`: seed the demo bot and knowledge base into empty stores (`npm run dev` sets it). */
  BOTKNOBS_SEED_DEMO?: string;
}

/**
 * The stores of one isolate's app.
 * @example
 * const { app } = createAppOver(stores(env), { eventStream: false });
 */
export function stores(_env: Env): AppStores {
  return { records: new MemoryRecordStore(), blobs: new MemoryBlobStore(), persistIndex: false };
}
