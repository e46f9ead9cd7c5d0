/**
 * The `RecordStore` conformance suite: the storage port under `StoreRegistryBackend`.
 * @module
 */
import type { RecordStore } from "../core/registry/record-store.ts";
import {
  configOf,
  type RegistrationDict,
  type StoredRegistration,
} from "../core/registry/registration.ts";
import type { TestHarness } from "./harness.ts";

/** Options of {@link recordStoreSuite}. */
export interface RecordStoreSuiteOptions {
  name: string;
  /** A fresh, empty store. */
  create(): Promise<RecordStore> | RecordStore;
  destroy?(store: RecordStore): Promise<void>;
}

function record(
  botId: string,
  version: number,
  extra: Partial<RegistrationDict> = {},
): RegistrationDict {
  const at = "2026-01-01T00:00:00.000Z";
  return {
    bot_id: botId,
    config: { n: version, nested: { list: [1, "two", null] } },
    status: "active",
    version,
    etag: `etag-${version}`,
    created_at: at,
    updated_at: at,
    last_accessed_at: at,
    metadata: {},
    ...extra,
  };
}

/** A read record in the wire form: a config the store returned as JSON text is parsed. */
function wire(r: StoredRegistration | null): RegistrationDict | null {
  return r === null ? null : { ...r, config: configOf(r) };
}

/** Runs the `RecordStore` conformance suite. */
export function recordStoreSuite(h: TestHarness, options: RecordStoreSuiteOptions): void {
  const { describe, it, expect, beforeEach, afterEach } = h;
  describe(`RecordStore conformance: ${options.name}`, () => {
    let store: RecordStore;
    beforeEach(async () => {
      store = await options.create();
      await store.initialize();
    });
    afterEach(async () => {
      if (options.destroy) await options.destroy(store);
      else {
        await store.clear();
        await store.close();
      }
    });

    it("put.create-only-when-absent - expectedVersion null", async () => {
      expect(await store.put(record("a", 1), { expectedVersion: null })).toBe(true);
      expect(await store.put(record("a", 1), { expectedVersion: null })).toBe(false);
      expect(wire(await store.get("a"))).toEqual(record("a", 1));
    });

    it("put.compare-and-set - the stored version must match", async () => {
      await store.put(record("a", 1), { expectedVersion: null });
      expect(await store.put(record("a", 3), { expectedVersion: 2 })).toBe(false);
      expect(await store.put(record("a", 2), { expectedVersion: 1 })).toBe(true);
      expect((await store.get("a"))?.version).toBe(2);
      expect(await store.put(record("b", 2), { expectedVersion: 1 })).toBe(false);
      expect(await store.get("b")).toBeNull();
    });

    it("put.roundtrip - every field comes back as written", async () => {
      const r = record("x:y.z@w", 7, {
        status: "inactive",
        metadata: { team: "a", n: [1] },
        config: { t: "héllo 🙂" },
      });
      await store.put(r, { expectedVersion: null });
      expect(wire(await store.get("x:y.z@w"))).toEqual(r);
      expect((await store.list()).map(wire)).toEqual([r]);
    });

    it("get.copies - mutating a read record does not change the store", async () => {
      await store.put(record("a", 1), { expectedVersion: null });
      const r = wire(await store.get("a")) as RegistrationDict;
      r.config.n = 99;
      expect(wire(await store.get("a"))?.config.n).toBe(1);
    });

    it("touch - sets last_accessed_at only, keeps revision, ignores missing ids", async () => {
      await store.put(record("a", 1), { expectedVersion: null });
      const rev = await store.revision();
      await store.touch("a", "2026-02-02T00:00:00.000Z");
      await store.touch("missing", "2026-02-02T00:00:00.000Z");
      expect(wire(await store.get("a"))).toEqual({
        ...record("a", 1),
        last_accessed_at: "2026-02-02T00:00:00.000Z",
      });
      expect(await store.get("missing")).toBeNull();
      expect(await store.revision()).toBe(rev);
    });

    it("delete - true once, then false; revision moves", async () => {
      await store.put(record("a", 1), { expectedVersion: null });
      const rev = await store.revision();
      expect(await store.delete("a")).toBe(true);
      expect(await store.delete("a")).toBe(false);
      expect(await store.get("a")).toBeNull();
      expect(await store.revision()).not.toBe(rev);
    });

    it("clear - returns the ids it deleted", async () => {
      await store.put(record("a", 1), { expectedVersion: null });
      await store.put(record("b", 1), { expectedVersion: null });
      expect((await store.clear()).sort()).toEqual(["a", "b"]);
      expect(await store.list()).toEqual([]);
    });

    it("revision - moves on put, stable on reads", async () => {
      const r0 = await store.revision();
      await store.put(record("a", 1), { expectedVersion: null });
      const r1 = await store.revision();
      expect(r1).not.toBe(r0);
      await store.get("a");
      await store.list();
      expect(await store.revision()).toBe(r1);
      await store.put(record("a", 2), { expectedVersion: 1 });
      expect(await store.revision()).not.toBe(r1);
    });

    it("concurrency.cas - of 20 racing puts on one version, exactly one wins", async () => {
      await store.put(record("a", 1), { expectedVersion: null });
      if (!store.capabilities.atomicWrites) return;
      const wins = await Promise.all(
        Array.from({ length: 20 }, () => store.put(record("a", 2), { expectedVersion: 1 })),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
    });
  });
}
