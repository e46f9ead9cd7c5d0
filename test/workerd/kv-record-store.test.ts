// KVRecordStore inside workerd, over the KV binding wrangler.toml gives (miniflare's KV, which
// shows writes at once): the record-store and registry-backend suites with a short declared lag
// (the suite waits it out after writes; the compare-and-set case is skipped, as the store
// declares atomicWrites: false), and KV's limits.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  KV_MAX_KEY_BYTES,
  KV_MAX_VALUE_BYTES,
  KVRecordStore,
} from "../../src/adapters/kv/index.ts";
import { AdapterError, ValidationError } from "../../src/core/errors.ts";
import { StoreRegistryBackend } from "../../src/index.ts";
import { conformance } from "../../src/testing/index.ts";
import { recordOf } from "../fixtures/records.ts";
import { KV_FAST, kvPort } from "./cloudflare-ports.ts";

const h = { describe, it, expect, beforeEach, afterEach };
const namespace = env.REGISTRY_KV;
const fast = KV_FAST;

// `reopen` is another isolate's store over the namespace (cloudflare-ports.ts).
conformance(h, { name: "KVRecordStore (workerd)", recordStore: { ...kvPort() } });

/** The namespace with its calls counted. */
function counted(): { ns: typeof namespace; calls: { get: number; put: number; list: number } } {
  const calls = { get: 0, put: 0, list: 0 };
  const ns = {
    get: (...a: unknown[]) => {
      calls.get++;
      return (namespace.get as (...x: unknown[]) => unknown)(...a);
    },
    getWithMetadata: (...a: unknown[]) => {
      calls.get++;
      return (namespace.getWithMetadata as (...x: unknown[]) => unknown)(...a);
    },
    put: (...a: unknown[]) => {
      calls.put++;
      return (namespace.put as (...x: unknown[]) => unknown)(...a);
    },
    list: (...a: unknown[]) => {
      calls.list++;
      return (namespace.list as (...x: unknown[]) => unknown)(...a);
    },
    delete: (k: string) => namespace.delete(k),
  } as unknown as typeof namespace;
  return { ns, calls };
}

describe("KVRecordStore limits and consistency (workerd)", () => {
  afterEach(async () => {
    await new KVRecordStore({ namespace, ...fast }).clear();
  }, 60_000);

  it("declares eventual consistency, 60 s of lag and no compare-and-set; the registry reads the lag", () => {
    const store = new KVRecordStore({ namespace });
    expect(store.capabilities).toEqual({
      consistency: "eventual",
      visibilityLagMs: 60_000,
      atomicWrites: false,
    });
    expect(new StoreRegistryBackend({ store }).visibilityLagMs).toBe(60_000);
  });

  it("a value over 25 MiB is a ValidationError before any call; nothing written", async () => {
    const { ns, calls } = counted();
    const store = new KVRecordStore({ namespace: ns, ...fast });
    const big = recordOf("big", 1, { text: "x".repeat(KV_MAX_VALUE_BYTES) });
    await expect(store.put(big, { expectedVersion: null })).rejects.toBeInstanceOf(ValidationError);
    expect(calls).toEqual({ get: 0, put: 0, list: 0 });
    expect(await store.get("big")).toBeNull();
  });

  it("a key over 512 bytes is a ValidationError before any call", async () => {
    const { ns, calls } = counted();
    const store = new KVRecordStore({
      namespace: ns,
      prefix: "p".repeat(KV_MAX_KEY_BYTES),
      ...fast,
    });
    const error = await store.put(recordOf("a", 1), { expectedVersion: null }).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain("512");
    await expect(store.get("a")).rejects.toBeInstanceOf(ValidationError);
    expect(calls).toEqual({ get: 0, put: 0, list: 0 });
  });

  it("reads never write: get, list, history, getVersion and revision make no put", async () => {
    const store = new KVRecordStore({ namespace, ...fast });
    await store.put(recordOf("r", 1), { expectedVersion: null });
    const { ns, calls } = counted();
    const reader = new KVRecordStore({ namespace: ns, ...fast });
    await reader.get("r");
    await reader.list();
    await reader.history("r");
    await reader.getVersion("r", 1);
    await reader.revision();
    expect(calls.put).toBe(0);
    expect(calls.get).toBeGreaterThan(0);
  });

  it("one write per second per key: a second put of one bot waits its turn; a touch within the second is skipped", async () => {
    const { ns, calls } = counted();
    const store = new KVRecordStore({ namespace: ns });
    const started = Date.now();
    await store.put(recordOf("paced", 1), { expectedVersion: null });
    await store.put(recordOf("paced", 2), { expectedVersion: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(await store.touch("paced", "2026-02-01T00:00:00.000Z", { version: 2 })).toBe(true);
    const puts = calls.put;
    expect(await store.touch("paced", "2026-02-01T00:00:01.000Z", { version: 2 })).toBe(false);
    expect(calls.put).toBe(puts);
    expect((await store.get("paced"))?.last_accessed_at).toBe("2026-02-01T00:00:00.000Z");
  });

  it("writers in one isolate queue per bot: of 20 racing puts on one version, one wins", async () => {
    const store = new KVRecordStore({ namespace, ...fast });
    await store.put(recordOf("race", 1), { expectedVersion: null });
    const wins = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.put(recordOf("race", 2, { i }), { expectedVersion: 1 }),
      ),
    );
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect((await store.history("race")).items.map((r) => r.version)).toEqual([2, 1]);
  });

  it("a KV failure is an AdapterError naming kv and the call", async () => {
    const broken = new KVRecordStore({
      namespace: {
        ...counted().ns,
        list: () => Promise.reject(new Error("KV LIST failed: 500")),
      } as typeof namespace,
    });
    const error = await broken.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).adapter).toBe("kv");
    expect((error as Error).message).toContain("list 'r/'");
  });
});
