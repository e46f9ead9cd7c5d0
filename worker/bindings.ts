/**
 * Where the Worker keeps its state: one function from the bindings to the stores. The registry
 * (with every version) is in D1 (`env.REGISTRY_DB`), the knowledge files and their persisted
 * search index in R2 (`env.KNOWLEDGE`), so every isolate serves the same bots and answers a
 * search for a domain another isolate ingested, and all of it survives a restart.
 *
 * The D1 schema is `migrations/`, applied by wrangler's own migration tracking before the Worker
 * runs: `npm run dev` runs `wrangler d1 migrations apply botknobs --local` first, a deployment
 * `wrangler d1 migrations apply botknobs --remote` once, the workerd tests `applyD1Migrations`
 * in their setup file. A Worker over an unmigrated database answers with an `AdapterError` naming
 * the statement (no such table), never with silently empty data.
 * @module
 */
import type { DurableObjectNamespace } from "@cloudflare/workers-types/index.ts";
import type { D1Database, R2Bucket } from "@cloudflare/workers-types/latest";
import { D1RecordStore } from "../src/adapters/d1/d1-record-store.ts";
import { R2BlobStore } from "../src/adapters/r2/r2-blob-store.ts";
import type { AppStores } from "../src/server/index.ts";

/**
 * Whether {@link stores} keeps the registry and knowledge beyond an isolate's life: true, they
 * are in D1 and R2 (the restart checks of `test/node/wrangler-dev.test.ts` depend on it).
 */
export const STORES_PERSIST: boolean = true;

/** The Worker's bindings (`wrangler.toml`). */
export interface Env {
  /** The `EventHub` Durable Object namespace: `/events` and cross-isolate invalidation. */
  EVENTS: DurableObjectNamespace;
  /** The `IngestionRunner` Durable Object namespace: one object per knowledge base ingests it. */
  INGEST: DurableObjectNamespace;
  /** The registry's D1 database (`migrations/` applied). */
  REGISTRY_DB: D1Database;
  /** The knowledge files and their search index. */
  KNOWLEDGE: R2Bucket;
  /**
   * Comma-separated read-write bearer tokens (a secret: `wrangler secret put BOTKNOBS_TOKENS`).
   * With none, the Worker serves reads only, unless {@link Env.BOTKNOBS_PUBLIC} opens it.
   */
  BOTKNOBS_TOKENS?: string;
  /** Comma-separated read-only bearer tokens. */
  BOTKNOBS_READ_TOKENS?: string;
  /**
   * `"1"`: without tokens, anyone may write — a deploy that is public on purpose. Not in
   * wrangler.toml; `npm run dev` sets it on a loopback address only (scripts/dev.mjs).
   */
  BOTKNOBS_PUBLIC?: string;
  /** `"1"`: seed the demo bot and knowledge base into empty stores (`npm run dev` sets it). */
  BOTKNOBS_SEED_DEMO?: string;
}

/**
 * The stores of one isolate's app.
 * @example
 * const { app } = createAppOver(stores(env), { eventStream: false });
 */
export function stores(env: Env): AppStores {
  return {
    records: new D1RecordStore({ db: env.REGISTRY_DB }),
    blobs: new R2BlobStore({ bucket: env.KNOWLEDGE }),
    persistIndex: true,
  };
}
