/**
 * The `RecordStore` suite's cases for what an adapter author gets wrong at the edges: listings
 * and `clear` past one default page (over 1,000 records), deletes that leave something a later
 * record with the same id inherits, ids that start with another id's characters, pruning scoped
 * to one record, conditional writes against a missing or deleted record, a put after a touch,
 * a second instance over the same data (`reopen`: its writes in reads and in `revision()`). Registered by `recordStoreSuite` (the crash and long-run cases are
 * in `record-store-crash-cases.ts`).
 * @module
 */
import { DEFAULT_PAGE_LIMIT } from "../core/registry/page.ts";
import type { RecordStore } from "../core/registry/record-store.ts";
import { configOf } from "../core/registry/registration.ts";
import { itUnless, type TestHarness } from "./harness.ts";
import {
  putVersions,
  record,
  versionsOf,
  walkIds,
  wire,
  withOther,
} from "./record-store-helpers.ts";

/** What the cases need from the suite that registers them. */
export interface RecordStoreScopeContext {
  store(): RecordStore;
  /** Waits out the store's declared lag after writes. */
  settle(): Promise<void>;
  reopen: ((store: RecordStore) => Promise<RecordStore> | RecordStore) | undefined;
}

const T1 = "2026-03-03T00:00:00.000Z";
const T2 = "2026-04-04T00:00:00.000Z";

/**
 * Registers the edge cases (inside the record-store suite's describe).
 * @example
 * recordStoreScopeCases(h, { store: () => store, settle, reopen: options.reopen });
 */
export function recordStoreScopeCases(h: TestHarness, ctx: RecordStoreScopeContext): void {
  const { it, expect } = h;
  const itReopened = itUnless(
    h,
    !ctx.reopen && "no second instance over the same data (the suite got no reopen)",
  );

  it("list.past-one-page - over 1,000 records: a default walk and clear() reach every one", async () => {
    const store = ctx.store();
    const n = DEFAULT_PAGE_LIMIT + 12;
    const ids = Array.from({ length: n }, (_, i) => `many-${String(i).padStart(5, "0")}`);
    for (let i = 0; i < n; i += 50)
      await Promise.all(
        ids.slice(i, i + 50).map((id) => store.put(record(id, 1), { expectedVersion: null })),
      );
    // A record past the first page with history, so clear() must reach its versions too.
    const last = ids[n - 1] as string;
    expect(await store.put(record(last, 2), { expectedVersion: 1 })).toBe(true);
    await ctx.settle();
    expect(await walkIds(store)).toEqual(ids);
    expect((await store.clear()).sort()).toEqual(ids);
    await ctx.settle();
    expect(await walkIds(store)).toEqual([]);
    expect(await store.get(last)).toBeNull();
    expect(await versionsOf(store, last)).toEqual([]);
    // Created again, it starts afresh: nothing of the cleared record comes back.
    expect(await store.put(record(last, 1), { expectedVersion: null })).toBe(true);
    await ctx.settle();
    expect(await versionsOf(store, last)).toEqual([1]);
  }, 120_000);

  it("delete.leaves-nothing - a record created again after delete or clear inherits no access time or version", async () => {
    const store = ctx.store();
    for (const remove of [(s: RecordStore) => s.delete("d"), (s: RecordStore) => s.clear()]) {
      await putVersions(store, "d", 2);
      await ctx.settle();
      expect(await store.touch("d", T1, { version: 2 })).toBe(true);
      await ctx.settle();
      await remove(store);
      await ctx.settle();
      // The same id, the same version numbers, written afresh.
      await putVersions(store, "d", 2);
      await ctx.settle();
      expect(wire(await store.get("d"))).toEqual(record("d", 2));
      expect((await store.list()).items.map(wire)).toEqual([record("d", 2)]);
      expect(await versionsOf(store, "d")).toEqual([2, 1]);
      await store.delete("d");
      await ctx.settle();
    }
  });

  it("ids.prefix - ids that start with another id's characters are untouched by its delete, history and prune", async () => {
    const store = ctx.store();
    // "a" is a prefix of the others; "a-" and "a." sort around "a/"-like separators.
    const others = ["ab", "a-b", "a.b", "aa", "a0"];
    await putVersions(store, "a", 3);
    for (const id of others) await putVersions(store, id, 4);
    await ctx.settle();
    expect(await versionsOf(store, "a")).toEqual([3, 2, 1]);
    expect(await store.getVersion("a", 4)).toBeNull();
    expect(await store.pruneHistory("a", 1)).toBe(2);
    for (const id of others) expect(await versionsOf(store, id)).toEqual([4, 3, 2, 1]);
    expect(await store.delete("a")).toBe(true);
    await ctx.settle();
    expect(await store.get("a")).toBeNull();
    for (const id of others) {
      expect((await store.get(id))?.version).toBe(4);
      expect(await versionsOf(store, id)).toEqual([4, 3, 2, 1]);
    }
    expect((await store.list()).items.map((r) => r.bot_id)).toEqual([...others].sort());
  });

  it("history.prune-scoped - pruning one record leaves another with more versions whole", async () => {
    const store = ctx.store();
    await putVersions(store, "few", 3);
    await putVersions(store, "lots", 9);
    await ctx.settle();
    expect(await store.pruneHistory("few", 2)).toBe(1);
    expect(await versionsOf(store, "few")).toEqual([3, 2]);
    expect(await versionsOf(store, "lots")).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(await store.pruneHistory("lots", 4)).toBe(5);
    expect(await versionsOf(store, "lots")).toEqual([9, 8, 7, 6]);
    expect(await versionsOf(store, "few")).toEqual([3, 2]);
    expect((await store.get("few"))?.version).toBe(3);
  });

  it("put.missing-or-deleted - a version condition on a missing or deleted record writes nothing", async () => {
    const store = ctx.store();
    expect(await store.put(record("m", 2), { expectedVersion: 1 })).toBe(false);
    expect(await store.touch("m", T1, { version: 1 })).toBe(false);
    await putVersions(store, "m", 2);
    expect(await store.delete("m")).toBe(true);
    await ctx.settle();
    // The version it had before the delete is no condition for writing it again.
    expect(await store.put(record("m", 3), { expectedVersion: 2 })).toBe(false);
    expect(await store.touch("m", T1, { version: 2 })).toBe(false);
    await ctx.settle();
    expect(await store.get("m")).toBeNull();
    expect(await versionsOf(store, "m")).toEqual([]);
    expect(await store.getVersion("m", 3)).toBeNull();
    expect(await store.put(record("m", 1), { expectedVersion: null })).toBe(true);
  });

  it("touch.put-own-access - a put after a touch keeps the access time it was written with, in get and list", async () => {
    const store = ctx.store();
    await putVersions(store, "p", 1);
    await ctx.settle();
    expect(await store.touch("p", T1, { version: 1 })).toBe(true);
    await ctx.settle();
    // The touch was of version 1: version 2 comes with an access time of its own.
    const second = record("p", 2, { last_accessed_at: T2 });
    expect(await store.put(second, { expectedVersion: 1 })).toBe(true);
    await ctx.settle();
    expect(wire(await store.get("p"))).toEqual(second);
    expect((await store.list()).items.map(wire)).toEqual([second]);
  });

  itReopened(
    "reopen.revision - another instance's put, delete and clear each move this one's revision, with no read before it",
    async () => {
      const store = ctx.store();
      await withOther(store, ctx.reopen, async (other) => {
        await store.put(record("r", 1), { expectedVersion: null });
        await ctx.settle();
        const seen = [await store.revision()];
        for (const write of [
          () => other.put(record("r", 2), { expectedVersion: 1 }),
          () => other.put(record("s", 1), { expectedVersion: null }),
          () => other.delete("r"),
          () => other.clear(),
        ]) {
          await write();
          await ctx.settle();
          // Nothing read on this instance since its last revision: the revision itself catches up.
          const now = await store.revision();
          expect(seen).not.toContain(now);
          seen.push(now);
        }
      });
    },
  );

  itReopened(
    "reopen.sees-writes - two instances over the same data see each other's puts and deletes in get, list and history",
    async () => {
      const store = ctx.store();
      await withOther(store, ctx.reopen, async (other) => {
        // Both read before the writes, so a cache filled then would show stale data after.
        for (const s of [store, other]) {
          expect((await s.list()).items).toEqual([]);
          expect(await versionsOf(s, "x")).toEqual([]);
          expect(await s.get("x")).toBeNull();
        }
        // Each read path is checked first after a write of the other instance: an earlier read
        // that caught up would hide one that does not.
        const wrote = async (write: () => Promise<unknown>): Promise<void> => {
          await write();
          await ctx.settle();
        };
        const ids = async (s: RecordStore) =>
          (await s.list()).items.map((r) => [r.bot_id, r.version]);
        for (const [writer, reader] of [
          [store, other],
          [other, store],
        ] as const) {
          const base = (await reader.get("x"))?.version ?? 0;
          await wrote(() => writer.put(record("x", base + 1), { expectedVersion: base || null }));
          expect(await ids(reader)).toEqual([["x", base + 1]]);
          await wrote(() => writer.put(record("x", base + 2), { expectedVersion: base + 1 }));
          expect((await versionsOf(reader, "x"))[0]).toBe(base + 2);
          await wrote(() =>
            writer.put(record("x", base + 3, { config: { by: "writer" } }), {
              expectedVersion: base + 2,
            }),
          );
          const x = await reader.get("x");
          expect([x?.version, configOf(x as NonNullable<typeof x>)]).toEqual([
            base + 3,
            { by: "writer" },
          ]);
          // The reader's compare-and-set sees the writer's version.
          expect(await reader.put(record("x", base + 3), { expectedVersion: base + 2 })).toBe(
            false,
          );
          await wrote(() => writer.put(record("y", 1), { expectedVersion: null }));
          expect(await ids(reader)).toEqual([
            ["x", base + 3],
            ["y", 1],
          ]);
          await wrote(() => writer.delete("y"));
          expect(await ids(reader)).toEqual([["x", base + 3]]);
          expect(await reader.get("y")).toBeNull();
        }
        expect(await versionsOf(store, "x")).toEqual([6, 5, 4, 3, 2, 1]);
      });
    },
  );
}
