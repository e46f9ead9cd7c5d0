/**
 * Unit cases of `src/core/registry/blob-record-store.ts` beyond the record-store suite (which it
 * passes over memory, a folder, R2 and S3): what a crash or a late writer leaves in the bucket,
 * and the single-writer rule for a store without conditional puts.
 */
import { MemoryBlobStore } from "../../../src/core/blob/memory-blob-store.ts";
import type { BlobStoreCapabilities } from "../../../src/core/blob/types.ts";
import { UnsupportedError } from "../../../src/core/errors.ts";
import { BlobRecordLayout } from "../../../src/core/registry/blob-record-layout.ts";
import { BlobRecordStore } from "../../../src/core/registry/blob-record-store.ts";
import { readAll } from "../../../src/core/util/streams.ts";
import { expectRejects, type TestHarness, withLatency } from "../../../src/testing/index.ts";
import { record } from "../../../src/testing/record-store-helpers.ts";

const layout = new BlobRecordLayout("registry/");
const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

/** A memory blob store that says it has no conditional puts (as s3rver's S3 store does). */
class NoConditions extends MemoryBlobStore {
  override readonly capabilities: BlobStoreCapabilities = {
    conditionalPut: false,
    paginatedList: true,
    contentTypes: true,
  };
}

/** Registers the cases. */
export function blobRecordStoreUnits(h: TestHarness, runtime: string): void {
  const { describe, it, expect } = h;
  describe(`BlobRecordStore: what crashes and late writers leave (${runtime})`, () => {
    const putVersions = async (store: BlobRecordStore, id: string, n: number) => {
      for (let v = 1; v <= n; v++)
        await store.put(record(id, v), { expectedVersion: v === 1 ? null : v - 1 });
    };
    const incOf = async (blobs: MemoryBlobStore, id: string): Promise<string> => {
      const got = await blobs.get(layout.head(id));
      return JSON.parse(new TextDecoder().decode(await readAll(got?.body as never))).inc;
    };

    it("a delete cut off after the head: a record created again inherits none of the versions left", async () => {
      const blobs = new MemoryBlobStore();
      const store = new BlobRecordStore({ store: blobs });
      await putVersions(store, "b", 5);
      // The head goes first; the history of versions 1–4 stays behind.
      await blobs.delete(layout.head("b"));
      await putVersions(store, "b", 2);
      expect((await store.history("b")).items.map((r) => r.version)).toEqual([2, 1]);
      // A version may jump (the port asks only for more than expected): 3 and 4 are not its own.
      expect(await store.put(record("b", 9), { expectedVersion: 2 })).toBe(true);
      expect((await store.history("b")).items.map((r) => r.version)).toEqual([9, 2, 1]);
      expect(await store.getVersion("b", 4)).toBeNull();
      expect(await store.pruneHistory("b", 1)).toBe(2);
    });

    it("a late touch of the record before a delete is not the access time of the one created again", async () => {
      const blobs = new MemoryBlobStore();
      const store = new BlobRecordStore({ store: blobs });
      await putVersions(store, "t", 1);
      const before = await incOf(blobs, "t");
      await store.delete("t");
      await putVersions(store, "t", 1);
      // What a touch that read the old head, and wrote after the delete, leaves.
      await blobs.put(
        layout.access("t"),
        json({ inc: before, v: 1, at: "2030-01-01T00:00:00.000Z" }),
      );
      expect((await store.get("t"))?.last_accessed_at).toBe(record("t", 1).last_accessed_at);
    });

    it("a late writer's copy into history, from before a delete, is not in the history of the record created again", async () => {
      const blobs = new MemoryBlobStore();
      const store = new BlobRecordStore({ store: blobs });
      await putVersions(store, "w", 1);
      const before = await incOf(blobs, "w");
      await store.delete("w");
      await putVersions(store, "w", 2);
      // A writer that read version 1 of the old record copies it into history, then fails its CAS.
      await blobs.put(
        layout.version("w", before, 1),
        json(record("w", 1, { config: { old: true } })),
      );
      const v1 = await store.getVersion("w", 1);
      expect(v1?.config).toBe(JSON.stringify(record("w", 1).config));
    });

    it("two stores over one bucket (two processes): of 10 racing puts on one version, exactly one wins, and history holds it", async () => {
      const blobs = withLatency(new MemoryBlobStore(), 3);
      const stores = Array.from({ length: 10 }, () => new BlobRecordStore({ store: blobs }));
      await putVersions(stores[0] as BlobRecordStore, "r", 1);
      const wins = await Promise.all(
        stores.map((s, i) => s.put(record("r", 2, { config: { by: i } }), { expectedVersion: 1 })),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
      const winner = wins.indexOf(true);
      const next = stores[(winner + 1) % 10] as BlobRecordStore;
      expect(await next.put(record("r", 3), { expectedVersion: 2 })).toBe(true);
      expect(JSON.parse((await next.getVersion("r", 2))?.config as string)).toEqual({ by: winner });
    });

    it("a store without conditional puts: writes are an UnsupportedError unless singleWriter; reads work", async () => {
      const blobs = new NoConditions();
      const refused = new BlobRecordStore({ store: blobs });
      expect(refused.capabilities.atomicWrites).toBe(false);
      await expectRejects(
        h,
        refused.put(record("a", 1), { expectedVersion: null }),
        UnsupportedError,
        "singleWriter",
      );
      expect(await refused.get("a")).toBeNull();
      const single = new BlobRecordStore({ store: blobs, singleWriter: true });
      expect(await single.put(record("a", 1), { expectedVersion: null })).toBe(true);
      expect(await single.put(record("a", 3), { expectedVersion: 2 })).toBe(false);
      expect((await refused.get("a"))?.version).toBe(1);
    });
  });
}
