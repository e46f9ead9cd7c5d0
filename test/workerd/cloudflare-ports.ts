/**
 * The Cloudflare storage adapters as `conformance()` takes them, over the bindings
 * wrangler.toml gives the tests: the adapters' own tests run them, and the mutant kit runs them
 * with a patched class (test/workerd/adapter-mutants.test.ts).
 */
import { env } from "cloudflare:workers";
import { D1RecordStore } from "../../src/adapters/d1/index.ts";
import { KVRecordStore } from "../../src/adapters/kv/index.ts";
import { R2BlobStore } from "../../src/adapters/r2/index.ts";
import type { BlobStorePort, RecordStorePort } from "../../src/testing/index.ts";

/** KV with a short declared lag and write interval (miniflare's KV shows writes at once). */
export const KV_FAST = { visibilityLagMs: 5, minWriteIntervalMs: 5 };

/**
 * KVRecordStore over `REGISTRY_KV`; `reopen` is another isolate's store over the namespace.
 * @example
 * conformance(h, { name: "KV", recordStore: { ...kvPort() } });
 */
export function kvPort(KV: typeof KVRecordStore = KVRecordStore): RecordStorePort {
  const namespace = env.REGISTRY_KV;
  return {
    create: () => new KV({ namespace, ...KV_FAST }),
    reopen: () => new KV({ namespace, ...KV_FAST }),
    registry: { persistsOnClose: true },
  };
}

/**
 * D1RecordStore over `REGISTRY_DB` (migrated by the setup file); `reopen` is another isolate's.
 * @example
 * conformance(h, { name: "D1", recordStore: { ...d1Port() } });
 */
export function d1Port(D1: typeof D1RecordStore = D1RecordStore): RecordStorePort {
  const db = env.REGISTRY_DB;
  return {
    create: () => new D1({ db }),
    reopen: () => new D1({ db }),
    registry: { persistsOnClose: true },
  };
}

/** Empties the `KNOWLEDGE` bucket (the suites share it within a file). */
export async function emptyBucket(): Promise<void> {
  const bucket = env.KNOWLEDGE;
  let cursor: string | undefined;
  do {
    const page = await bucket.list(cursor ? { cursor } : {});
    if (page.objects.length) await bucket.delete(page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
}

/**
 * R2BlobStore over `KNOWLEDGE`; `reopen` is another isolate's store over the bucket.
 * @example
 * conformance(h, { name: "R2", blobStore: { ...r2Port() } });
 */
export function r2Port(R2: typeof R2BlobStore = R2BlobStore): BlobStorePort {
  const bucket = env.KNOWLEDGE;
  return {
    create: () => new R2({ bucket }),
    reopen: () => new R2({ bucket }),
    destroy: emptyBucket,
  };
}
