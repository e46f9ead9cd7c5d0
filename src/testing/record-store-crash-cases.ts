/**
 * The `RecordStore` suite's cases for what happens to a store's storage over time and across
 * crashes, read back by a second instance (`reopen`, another process's view): a write torn by a
 * crash (`tear`) and the store's own repair after it (`repair`); over 1,000 records written, some
 * touched (past whatever snapshot or index a store keeps for restarts); and hundreds of rewrites,
 * touches, deletes and prunes of a few records (past whatever compaction a store does) — after
 * which the writer and a new instance read the same records, histories and access times, and no
 * revision comes back. Registered by `recordStoreSuite`.
 * @module
 */
import { DEFAULT_PAGE_LIMIT } from "../core/registry/page.ts";
import type { RecordStore } from "../core/registry/record-store.ts";
import { itUnless, type TestHarness } from "./harness.ts";
import { content, putVersions, record, versionsOf, walkIds } from "./record-store-helpers.ts";

/** What the cases need from the suite that registers them. */
export interface RecordStoreCrashContext {
  store(): RecordStore;
  /** Waits out the store's declared lag after writes. */
  settle(): Promise<void>;
  reopen: ((store: RecordStore) => Promise<RecordStore> | RecordStore) | undefined;
  /** Leaves what a writer killed mid-write leaves (the suite's `tear` option). */
  tear: ((store: RecordStore) => Promise<void>) | undefined;
  /** The store's own recovery (the suite's `repair` option). */
  repair: ((store: RecordStore) => Promise<void>) | undefined;
}

const T1 = "2026-03-03T00:00:00.000Z";
/** The `i`-th second after 2026-03-04. */
const second = (i: number): string => new Date(Date.UTC(2026, 2, 4) + i * 1000).toISOString();

/**
 * Registers the crash and long-run cases (inside the record-store suite's describe).
 * @example
 * recordStoreCrashCases(h, { store: () => store, settle, reopen, tear, repair });
 */
export function recordStoreCrashCases(h: TestHarness, ctx: RecordStoreCrashContext): void {
  const { expect } = h;
  const itReopened = itUnless(
    h,
    !ctx.reopen && "no second instance over the same data (the suite got no reopen)",
  );
  /** Runs `fn` over `store` and a second instance over its data (closed after). */
  const bothInstances = async (
    store: RecordStore,
    fn: (instances: RecordStore[]) => Promise<void>,
  ): Promise<void> => {
    const other = ctx.reopen ? await ctx.reopen(store) : null;
    await other?.initialize();
    try {
      await fn(other ? [store, other] : [store]);
    } finally {
      await other?.close();
    }
  };

  /** The case's store with versions 1 and 2 of "x", then what a writer killed mid-write leaves. */
  const tornAfterTwoVersions = async (): Promise<RecordStore> => {
    const store = ctx.store();
    await putVersions(store, "x", 2);
    await ctx.settle();
    await (ctx.tear as NonNullable<typeof ctx.tear>)(store);
    return store;
  };

  itUnless(h, !ctx.tear && "the options give no tear (what a killed writer leaves)")(
    "crash.torn-write - what a writer killed mid-write leaves is ignored by readers; the next write goes on",
    async () => {
      const store = await tornAfterTwoVersions();
      await bothInstances(store, async (readers) => {
        for (const s of readers) {
          expect((await s.get("x"))?.version).toBe(2);
          expect(await versionsOf(s, "x")).toEqual([2, 1]);
        }
        expect(await (readers[1] ?? store).put(record("x", 3), { expectedVersion: 2 })).toBe(true);
        expect(await store.put(record("y", 1), { expectedVersion: null })).toBe(true);
        await ctx.settle();
        for (const s of readers) {
          expect((await s.get("x"))?.version).toBe(3);
          expect(await versionsOf(s, "x")).toEqual([3, 2, 1]);
          expect((await s.list()).items.map((r) => r.bot_id)).toEqual(["x", "y"]);
        }
      });
    },
  );

  itUnless(
    h,
    (!ctx.tear || !ctx.repair) &&
      "the options give no tear and repair (a store with no recovery of its own)",
  )(
    "crash.repair-keeps-writes - the store's repair after a torn write keeps every write acknowledged, the last one included; the store writes on",
    async () => {
      const store = await tornAfterTwoVersions();
      expect(await store.put(record("x", 3), { expectedVersion: 2 })).toBe(true);
      expect(await store.touch("x", T1, { version: 3 })).toBe(true);
      expect(await store.put(record("y", 1), { expectedVersion: null })).toBe(true);
      await ctx.settle();
      await (ctx.repair as NonNullable<typeof ctx.repair>)(store);
      await bothInstances(store, async (readers) => {
        for (const s of readers) {
          const x = await s.get("x");
          expect([x?.version, x?.last_accessed_at]).toEqual([3, T1]);
          expect(await versionsOf(s, "x")).toEqual([3, 2, 1]);
          expect(await walkIds(s)).toEqual(["x", "y"]);
        }
        expect(await store.put(record("y", 2), { expectedVersion: 1 })).toBe(true);
        await ctx.settle();
        for (const s of readers) expect(await versionsOf(s, "y")).toEqual([2, 1]);
      });
    },
  );

  itReopened(
    "reopen.many-records - over 1,000 records written, a few touched early on: a new instance reads each as the writer does",
    async () => {
      const store = ctx.store();
      const n = DEFAULT_PAGE_LIMIT + 10;
      const ids = Array.from({ length: n }, (_, i) => `rm-${String(i).padStart(5, "0")}`);
      for (let i = 0; i < n; i += 50) {
        await Promise.all(
          ids.slice(i, i + 50).map((id) => store.put(record(id, 1), { expectedVersion: null })),
        );
        // Touched among the first writes: a snapshot taken later must carry the access times.
        if (i === 0)
          for (const id of ids.slice(0, 5))
            expect(await store.touch(id, T1, { version: 1 })).toBe(true);
      }
      const twice = ids[7] as string;
      expect(await store.put(record(twice, 2), { expectedVersion: 1 })).toBe(true);
      await ctx.settle();
      await bothInstances(store, async (readers) => {
        for (const s of readers) {
          expect(await walkIds(s)).toEqual(ids);
          const touched = await Promise.all(ids.slice(0, 6).map((id) => s.get(id)));
          expect(touched.map((r) => r?.last_accessed_at)).toEqual([
            ...Array(5).fill(T1),
            record(ids[5] as string, 1).last_accessed_at,
          ]);
          expect(await versionsOf(s, twice)).toEqual([2, 1]);
        }
      });
      // Cleared here, within the case's time (a remote store takes a while for 1,010 records).
      expect((await store.clear()).length).toBe(n);
    },
    120_000,
  );

  itReopened(
    "reopen.after-churn - after hundreds of touches, rewrites, deletes and prunes, the writer and a new instance read the same records, histories and access times; no revision comes back",
    async () => {
      const store = ctx.store();
      // The revisions after each write that changes data: none may be seen again later.
      const seen = [await store.revision()];
      const changed = async (): Promise<void> => {
        await ctx.settle();
        seen.push(await store.revision());
      };
      for (let v = 1; v <= 6; v++) {
        expect(await store.put(record("c", v), { expectedVersion: v === 1 ? null : v - 1 })).toBe(
          true,
        );
        await changed();
      }
      // "c" is touched once, then left alone while "hot" is touched hundreds of times: a store
      // that folds old lines away must keep c's access on its current version. (A store may
      // skip touches of one record close together, as KV does: the last one applied counts.)
      expect(await store.touch("c", second(0), { version: 6 })).toBe(true);
      expect(await store.put(record("hot", 1), { expectedVersion: null })).toBe(true);
      await changed();
      let hotAt = record("hot", 1).last_accessed_at;
      for (let i = 1; i <= 300; i++)
        if (await store.touch("hot", second(i), { version: 1 })) hotAt = second(i);
      for (let round = 0; round < 2; round++) {
        await putVersions(store, "gone", 2);
        await changed();
        await store.touch("gone", T1, { version: 2 });
        expect(await store.delete("gone")).toBe(true);
        await changed();
      }
      expect(await store.put(record("gone", 1), { expectedVersion: null })).toBe(true);
      await changed();
      for (let v = 1; v <= 10; v++) {
        expect(await store.put(record("p", v), { expectedVersion: v === 1 ? null : v - 1 })).toBe(
          true,
        );
        await changed();
      }
      expect(await store.pruneHistory("p", 3)).toBe(7);
      await ctx.settle();
      await bothInstances(store, async (readers) => {
        for (const s of readers) {
          expect(await walkIds(s)).toEqual(["c", "gone", "hot", "p"]);
          const [c, hot, gone] = await Promise.all(["c", "hot", "gone"].map((id) => s.get(id)));
          expect([c?.version, c?.last_accessed_at]).toEqual([6, second(0)]);
          expect([hot?.version, hot?.last_accessed_at]).toEqual([1, hotAt]);
          expect([gone?.version, gone?.last_accessed_at]).toEqual([
            1,
            record("gone", 1).last_accessed_at,
          ]);
          expect(await versionsOf(s, "c")).toEqual([6, 5, 4, 3, 2, 1]);
          expect(content(await s.getVersion("c", 3))).toEqual(content(record("c", 3)));
          expect(await versionsOf(s, "gone")).toEqual([1]);
          expect(await versionsOf(s, "p")).toEqual([10, 9, 8]);
          expect(seen.slice(0, -1)).not.toContain(await s.revision());
        }
      });
    },
    120_000,
  );
}
