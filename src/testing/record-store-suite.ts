/**
 * The `RecordStore` conformance suite: the storage port under `StoreRegistryBackend`. Cases
 * carry stable ids (`list.pages`, `touch.never-reverts-put`, `history.prune`, `revision.never-repeats`,
 * `ext.roundtrip`, `list.where`). On an eventually consistent store
 * (`capabilities.visibilityLagMs` > 0) reads after a write first wait out the declared lag.
 * The envelope (`ext`) and filter (`list.where*`) cases are in `record-store-ext-cases.ts`; the
 * edge cases (past one page, leftovers of deletes, ids sharing a prefix, scoped pruning, a second
 * instance) in `record-store-scope-cases.ts`; crashes, repairs and long runs read back by a second
 * instance in `record-store-crash-cases.ts`.
 * @module
 */
import { ValidationError } from "../core/errors.ts";
import type { RecordStore, RecordStoreCapabilities } from "../core/registry/record-store.ts";
import {
  configOf,
  type RegistrationDict,
  type StoredRegistration,
} from "../core/registry/registration.ts";
import { declaredCapabilities, expectRejects, itUnless, type TestHarness } from "./harness.ts";
import { recordStoreCrashCases } from "./record-store-crash-cases.ts";
import { recordStoreExtCases } from "./record-store-ext-cases.ts";
import { content, record, walkPages, wire } from "./record-store-helpers.ts";
import { type LongWriter, recordStoreInstanceCases } from "./record-store-instance-cases.ts";
import { recordStoreScopeCases } from "./record-store-scope-cases.ts";

/** Options of {@link recordStoreSuite}. */
export interface RecordStoreSuiteOptions {
  name: string;
  /** A fresh, empty store. */
  create(): Promise<RecordStore> | RecordStore;
  destroy?(store: RecordStore): Promise<void>;
  /**
   * What the store declares, for the cases that depend on it (they are registered before any
   * store exists). Default: read from a store `create()` returns synchronously; when `create` is
   * async, say `atomicWrites` and `filters` here (a mismatch with the store fails a case, never
   * passes it).
   */
  capabilities?: Pick<RecordStoreCapabilities, "atomicWrites" | "filters" | "maxValueBytes">;
  /**
   * A second instance over the same data as `store` (another process's view: the same
   * directory, database or namespace), for the cases that check one sees the other's writes
   * (`reopen.sees-writes`, `list.where-second-instance`). Give it wherever two instances can
   * share data; without it those cases are skipped, saying so.
   */
  reopen?(store: RecordStore): Promise<RecordStore> | RecordStore;
  /**
   * Leaves in the store's storage what a writer killed in the middle of a write leaves (for a
   * journal: a torn last line), for `crash.torn-write`; skipped without it.
   */
  tear?(store: RecordStore): Promise<void>;
  /**
   * Runs the store's own recovery over its storage, as an operator does after a crash (a
   * journal's `repairJournal`), for `crash.repair-keeps-writes` (with `tear`); skipped without it.
   */
  repair?(store: RecordStore): Promise<void>;
  /**
   * A store over storage an older release of the store left (for a SQL store: a database where
   * only its first migration was applied), for `upgrade.older-storage`; skipped without it.
   */
  older?(store: RecordStore): Promise<RecordStore> | RecordStore;
  /**
   * Another process in the middle of a long write to `store`'s storage, holding what a writer
   * holds (for a journal under a file lock: the lock, its lease renewed as a live holder renews
   * it), for `lease.long-write`; skipped without it.
   */
  longWriter?: LongWriter;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the `RecordStore` conformance suite.
 * @example
 * recordStoreSuite({ describe, it, expect, beforeEach, afterEach }, { name: "mine", create: () => new MyRecordStore() });
 */
export function recordStoreSuite(h: TestHarness, options: RecordStoreSuiteOptions): void {
  const { describe, it, expect, beforeEach, afterEach } = h;
  // Nothing to read before the cases run: assume the strongest and let the cases check it.
  const declared = declaredCapabilities<
    Pick<RecordStoreCapabilities, "atomicWrites" | "filters" | "maxValueBytes">
  >(options.capabilities, options.create);
  const { atomicWrites, filters } = declared ?? { atomicWrites: true };
  describe(`RecordStore conformance: ${options.name}`, () => {
    let store: RecordStore;
    // Writes a lagging store may not show yet are waited out before the reads that check them.
    const settle = async (): Promise<void> => {
      const lag = store.capabilities.visibilityLagMs;
      if (lag > 0) await sleep(lag + 1);
    };
    /** Puts versions 1..n of `botId` (config `{ n: v }`), each on the one before. */
    const putVersions = async (botId: string, n: number): Promise<void> => {
      for (let v = 1; v <= n; v++)
        expect(await store.put(record(botId, v), { expectedVersion: v === 1 ? null : v - 1 })).toBe(
          true,
        );
    };
    const walk = walkPages;

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
      await settle();
      expect(wire(await store.get("a"))).toEqual(record("a", 1));
    });

    it("put.compare-and-set - the stored version must match", async () => {
      await store.put(record("a", 1), { expectedVersion: null });
      expect(await store.put(record("a", 3), { expectedVersion: 2 })).toBe(false);
      expect(await store.put(record("a", 2), { expectedVersion: 1 })).toBe(true);
      expect(await store.put(record("b", 2), { expectedVersion: 1 })).toBe(false);
      await settle();
      expect((await store.get("a"))?.version).toBe(2);
      expect(await store.get("b")).toBeNull();
    });

    it("put.rejects-non-increasing-version - ValidationError naming version, nothing written", async () => {
      await store.put(record("a", 1), { expectedVersion: null });
      await expectRejects(
        h,
        store.put(record("a", 1), { expectedVersion: 1 }),
        ValidationError,
        "version",
      );
      await expectRejects(
        h,
        store.put(record("b", 0), { expectedVersion: null }),
        ValidationError,
        "version",
      );
      await expectRejects(
        h,
        store.put(record("b", 1.5), { expectedVersion: null }),
        ValidationError,
        "version",
      );
      await settle();
      expect((await store.get("a"))?.version).toBe(1);
      expect(await store.get("b")).toBeNull();
    });

    it("put.roundtrip - every field comes back as written", async () => {
      const r = record("x:y.z@w", 7, {
        status: "inactive",
        metadata: { team: "a", n: [1] },
        config: { t: "héllo 🙂" },
      });
      await store.put(r, { expectedVersion: null });
      await settle();
      expect(wire(await store.get("x:y.z@w"))).toEqual(r);
      expect((await store.list()).items.map(wire)).toEqual([r]);
      expect(wire(await store.getVersion("x:y.z@w", 7))).toEqual(r);
    });

    it("get.copies - mutating a read record does not change the store", async () => {
      await store.put(record("a", 1), { expectedVersion: null });
      await settle();
      const r = wire(await store.get("a")) as RegistrationDict;
      r.config.n = 99;
      r.metadata.x = 1;
      const listed = wire((await store.list()).items[0] ?? null) as RegistrationDict;
      listed.config.n = 98;
      expect(wire(await store.get("a"))).toEqual(record("a", 1));
    });

    it("list.sorted - by bot_id, whatever the order of writing; one page, no cursor", async () => {
      const ids = ["m", "b", "z-9", "a:1", "B", "a", "k.x", "a@b"];
      for (const id of ids) await store.put(record(id, 1), { expectedVersion: null });
      await settle();
      const page = await store.list();
      expect(page.items.map((r) => r.bot_id)).toEqual([...ids].sort());
      expect(page.cursor).toBeUndefined();
    });

    it("list.pages - limit and cursor: every record once, in order, pages no longer than limit", async () => {
      const ids = Array.from(
        { length: 23 },
        (_, i) => `bot-${String((i * 7) % 23).padStart(2, "0")}`,
      );
      for (const id of ids) await store.put(record(id, 1), { expectedVersion: null });
      await settle();
      const pages = await walk((cursor) =>
        store.list(cursor === undefined ? { limit: 5 } : { cursor, limit: 5 }),
      );
      for (const page of pages) expect(page.items.length).toBeLessThanOrEqual(5);
      expect(pages.flatMap((p) => p.items.map((r) => r.bot_id))).toEqual([...ids].sort());
      expect(pages.length).toBeGreaterThanOrEqual(5);
      expect(pages[pages.length - 1]?.cursor).toBeUndefined();
    });

    it("list.walk-under-writes - records present for the whole walk exactly once, none twice", async () => {
      const stable = Array.from({ length: 20 }, (_, i) => `s-${String(i).padStart(2, "0")}`);
      const doomed = Array.from({ length: 10 }, (_, i) => `d-${String(i).padStart(2, "0")}`);
      for (const id of [...stable, ...doomed])
        await store.put(record(id, 1), { expectedVersion: null });
      await settle();
      let added = 0;
      const pages = await walk(
        (cursor) => store.list(cursor === undefined ? { limit: 4 } : { cursor, limit: 4 }),
        async (n) => {
          // Between pages: delete some, add some (before and after the cursor), rewrite a stable one.
          await store.delete(doomed[n % doomed.length] as string);
          await store.put(record(`a-new-${added}`, 1), { expectedVersion: null });
          await store.put(record(`z-new-${added++}`, 1), { expectedVersion: null });
          const s = stable[(n * 3) % stable.length] as string;
          const v = (await store.getVersion(s, 2)) ? 2 : 1;
          if (v === 1) await store.put(record(s, 2), { expectedVersion: 1 });
        },
      );
      const seen = pages.flatMap((p) => p.items.map((r) => r.bot_id));
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of stable) expect(seen.filter((s) => s === id)).toEqual([id]);
    });

    it("list.fresh - a listing after writes shows them", async () => {
      await store.put(record("a", 1), { expectedVersion: null });
      await store.put(record("b", 1), { expectedVersion: null });
      await settle();
      expect((await store.list()).items.map((r) => r.bot_id)).toEqual(["a", "b"]);
      await store.put(record("c", 1), { expectedVersion: null });
      await store.put(record("a", 2), { expectedVersion: 1 });
      await store.delete("b");
      await settle();
      expect((await store.list()).items.map((r) => [r.bot_id, r.version])).toEqual([
        ["a", 2],
        ["c", 1],
      ]);
      expect((await store.list({ limit: 1 })).items.map((r) => r.bot_id)).toEqual(["a"]);
    });

    it("list.rejects-bad-limit - ValidationError naming limit", async () => {
      for (const limit of [0, -1, 1.5, 1001, Number.NaN])
        await expectRejects(h, store.list({ limit }), ValidationError, "limit");
    });

    it("touch.sets-last-accessed - only that field; revision kept; missing ids ignored", async () => {
      await store.put(record("a", 1), { expectedVersion: null });
      await settle();
      const rev = await store.revision();
      expect(await store.touch("a", "2026-02-02T00:00:00.000Z", { version: 1 })).toBe(true);
      expect(await store.touch("missing", "2026-02-02T00:00:00.000Z", { version: 1 })).toBe(false);
      await settle();
      expect(wire(await store.get("a"))).toEqual({
        ...record("a", 1),
        last_accessed_at: "2026-02-02T00:00:00.000Z",
      });
      expect(await store.get("missing")).toBeNull();
      expect(await store.revision()).toBe(rev);
      expect((await store.history("a")).items).toHaveLength(1);
    });

    it("touch.needs-version - a touch naming an older version is not applied", async () => {
      await putVersions("a", 2);
      expect(await store.touch("a", "2026-02-02T00:00:00.000Z", { version: 1 })).toBe(false);
      await settle();
      expect(wire(await store.get("a"))).toEqual(record("a", 2));
    });

    it("touch.never-reverts-put - 40 rounds of a touch racing a put: the put's record stays", async () => {
      await store.put(record("t", 1), { expectedVersion: null });
      for (let round = 0; round < 40; round++) {
        const v = round + 1;
        const touch = () =>
          store.touch("t", `2026-03-01T00:00:${String(round % 60).padStart(2, "0")}.000Z`, {
            version: v,
          });
        const put = () =>
          store.put(record("t", v + 1, { config: { round } }), { expectedVersion: v });
        // Both orders of starting, and a put that starts a moment later.
        const results =
          round % 3 === 0
            ? await Promise.all([touch(), put()])
            : round % 3 === 1
              ? (await Promise.all([put(), touch()])).reverse()
              : await Promise.all([touch(), sleep(0).then(put)]);
        expect(results[1]).toBe(true);
        const now = await store.getVersion("t", v + 1);
        expect(configOf(now as StoredRegistration)).toEqual({ round });
      }
      await settle();
      const last = await store.get("t");
      expect(last?.version).toBe(41);
      expect(configOf(last as StoredRegistration)).toEqual({ round: 39 });
    });

    it("delete - true once, then false; record and history gone; revision moves", async () => {
      await putVersions("a", 3);
      await settle();
      const rev = await store.revision();
      expect(await store.delete("a")).toBe(true);
      expect(await store.delete("a")).toBe(false);
      await settle();
      expect(await store.get("a")).toBeNull();
      expect(await store.getVersion("a", 2)).toBeNull();
      expect((await store.history("a")).items).toEqual([]);
      expect(await store.revision()).not.toBe(rev);
    });

    it("delete.starts-afresh - after a delete, version 1 can be created again, with its own history", async () => {
      await putVersions("a", 3);
      await store.delete("a");
      expect(
        await store.put(record("a", 1, { config: { again: true } }), { expectedVersion: null }),
      ).toBe(true);
      await settle();
      const history = await store.history("a");
      expect(history.items.map((r) => [r.version, configOf(r)])).toEqual([[1, { again: true }]]);
    });

    it("clear - returns the ids it deleted; records and histories gone", async () => {
      await putVersions("a", 2);
      await store.put(record("b", 1), { expectedVersion: null });
      expect((await store.clear()).sort()).toEqual(["a", "b"]);
      await settle();
      expect((await store.list()).items).toEqual([]);
      expect((await store.history("a")).items).toEqual([]);
      expect(await store.getVersion("b", 1)).toBeNull();
    });

    it("history.kept - every version put, newest first, as written", async () => {
      const writes = [
        record("h", 1),
        record("h", 2, { config: { two: 2 }, status: "inactive" }),
        record("h", 3, { metadata: { team: "x" } }),
        record("h", 4, { config: { four: [4] } }),
      ];
      for (const [i, w] of writes.entries())
        await store.put(w, { expectedVersion: i === 0 ? null : i });
      const history = await store.history("h");
      expect(history.items.map(content)).toEqual([...writes].reverse().map((w) => content(w)));
      expect(history.cursor).toBeUndefined();
    });

    it("history.pages - limit and cursor walk the versions newest first, each once", async () => {
      await putVersions("h", 7);
      const pages = await walk((cursor) =>
        store.history("h", cursor === undefined ? { limit: 3 } : { cursor, limit: 3 }),
      );
      expect(pages.map((p) => p.items.map((r) => r.version))).toEqual([[7, 6, 5], [4, 3, 2], [1]]);
      await expectRejects(h, store.history("h", { limit: 0 }), ValidationError, "limit");
    });

    it("history.immutable - later puts, touches and mutated copies leave a version as written", async () => {
      await store.put(record("h", 1, { config: { first: true } }), { expectedVersion: null });
      await store.touch("h", "2026-05-05T00:00:00.000Z", { version: 1 });
      await store.put(record("h", 2), { expectedVersion: 1 });
      await store.touch("h", "2026-05-06T00:00:00.000Z", { version: 2 });
      const copy = wire(await store.getVersion("h", 1)) as RegistrationDict;
      copy.config.first = false;
      const listed = wire((await store.history("h")).items[1] ?? null) as RegistrationDict;
      listed.config.first = "changed";
      expect(content(await store.getVersion("h", 1))).toEqual(
        content(record("h", 1, { config: { first: true } })),
      );
      expect(content(await store.getVersion("h", 2))).toEqual(content(record("h", 2)));
    });

    it("history.get-version - each kept version; null for others and for missing records", async () => {
      await putVersions("h", 3);
      for (const v of [1, 2, 3])
        expect(content(await store.getVersion("h", v))).toEqual(content(record("h", v)));
      expect(await store.getVersion("h", 4)).toBeNull();
      expect(await store.getVersion("ghost", 1)).toBeNull();
      expect(await store.history("ghost")).toEqual({ items: [] });
    });

    it("history.prune - keeps the newest N, returns the count removed; never the current one", async () => {
      await putVersions("h", 6);
      await putVersions("other", 2);
      await settle();
      const rev = await store.revision();
      expect(await store.pruneHistory("h", 2)).toBe(4);
      expect((await store.history("h")).items.map((r) => r.version)).toEqual([6, 5]);
      expect(await store.getVersion("h", 4)).toBeNull();
      expect(await store.pruneHistory("h", 2)).toBe(0);
      expect(await store.pruneHistory("h", 1)).toBe(1);
      expect((await store.get("h"))?.version).toBe(6);
      expect(await store.pruneHistory("ghost", 1)).toBe(0);
      await expectRejects(h, store.pruneHistory("h", 0), ValidationError, "keepLast");
      expect((await store.history("other")).items).toHaveLength(2);
      expect(await store.revision()).toBe(rev);
      // Writing goes on after a prune.
      expect(await store.put(record("h", 7), { expectedVersion: 6 })).toBe(true);
      expect((await store.history("h")).items.map((r) => r.version)).toEqual([7, 6]);
    });

    it("revision.moves-on-writes - put, delete and clear each move it", async () => {
      const seen = [await store.revision()];
      const step = async (write: () => Promise<unknown>) => {
        await write();
        await settle();
        const rev = await store.revision();
        expect(seen).not.toContain(rev);
        seen.push(rev);
      };
      await step(() => store.put(record("a", 1), { expectedVersion: null }));
      await step(() => store.put(record("a", 2), { expectedVersion: 1 }));
      await step(() => store.put(record("b", 1), { expectedVersion: null }));
      await step(() => store.delete("a"));
      await step(() => store.clear());
    });

    it("revision.stable-on-reads - reads, touches, prunes and writes that change nothing leave it", async () => {
      await putVersions("a", 3);
      await settle();
      const rev = await store.revision();
      await store.get("a");
      await store.list();
      await store.list({ limit: 1 });
      await store.history("a");
      await store.getVersion("a", 1);
      await store.touch("a", "2026-04-04T00:00:00.000Z", { version: 3 });
      await store.touch("a", "2026-04-04T00:00:00.000Z", { version: 1 });
      await store.pruneHistory("a", 1);
      expect(await store.put(record("a", 9), { expectedVersion: 5 })).toBe(false);
      expect(await store.delete("ghost")).toBe(false);
      await settle();
      expect(await store.revision()).toBe(rev);
    });

    it("revision.never-repeats - a value from before a write never comes back after it", async () => {
      const seen: string[] = [];
      const note = async () => {
        await settle();
        const rev = await store.revision();
        expect(seen).not.toContain(rev);
        seen.push(rev);
      };
      await note();
      // The same record written, deleted and written again: the content is the same each time.
      for (let i = 0; i < 3; i++) {
        await store.put(record("a", 1), { expectedVersion: null });
        await note();
        await store.delete("a");
        await note();
      }
      await store.put(record("a", 1), { expectedVersion: null });
      await store.clear();
      await note();
    });

    it("revision.capabilities - a strong store has no lag; a lag is a finite number of ms; filters as declared", () => {
      const { consistency, visibilityLagMs, atomicWrites } = store.capabilities;
      expect(["strong", "eventual"]).toContain(consistency);
      expect(typeof atomicWrites).toBe("boolean");
      expect(Number.isFinite(visibilityLagMs) && visibilityLagMs >= 0).toBe(true);
      if (consistency === "strong") expect(visibilityLagMs).toBe(0);
      // The filter cases were registered (or skipped) on what the suite was told.
      expect([...(store.capabilities.filters ?? [])].sort()).toEqual([...(filters ?? [])].sort());
      for (const field of store.capabilities.filters ?? []) expect(["status"]).toContain(field);
    });

    recordStoreScopeCases(h, { store: () => store, settle, reopen: options.reopen });

    recordStoreCrashCases(h, {
      store: () => store,
      settle,
      reopen: options.reopen,
      tear: options.tear,
      repair: options.repair,
    });

    recordStoreInstanceCases(h, {
      store: () => store,
      settle,
      reopen: options.reopen,
      older: options.older,
      longWriter: options.longWriter,
      maxValueBytes: declared === undefined ? "unknown" : declared.maxValueBytes,
      atomicWrites,
    });

    recordStoreExtCases(h, {
      store: () => store,
      settle,
      filters: filters ?? [],
      reopen: options.reopen,
    });

    itUnless(h, !atomicWrites && "the store declares no compare-and-set (atomicWrites: false)")(
      "concurrency.cas - of 20 racing puts on one version, exactly one wins",
      async () => {
        expect(store.capabilities.atomicWrites).toBe(true);
        await store.put(record("a", 1), { expectedVersion: null });
        const wins = await Promise.all(
          Array.from({ length: 20 }, () => store.put(record("a", 2), { expectedVersion: 1 })),
        );
        expect(wins.filter(Boolean)).toHaveLength(1);
      },
    );
  });
}
