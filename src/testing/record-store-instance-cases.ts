/**
 * The `RecordStore` suite's cases for a store's own limits and its instances: a value over the
 * store's declared `maxValueBytes`, two instances creating one record at once, closing one
 * instance while another over the same storage goes on, and a store opened over storage an
 * older release left (`older`), and a write that waits for another process's long one
 * (`longWriter`). Registered by `recordStoreSuite`.
 * @module
 */
import { ValidationError } from "../core/errors.ts";
import type { RecordStore } from "../core/registry/record-store.ts";
import { expectRejects, itUnless, type TestHarness } from "./harness.ts";
import { record, wire } from "./record-store-helpers.ts";

/** Another process in the middle of a long write (the record-store suite's `longWriter`). */
export interface LongWriter {
  /** Starts it over `store`'s storage; resolves once it holds, with the function that ends it. */
  start(store: RecordStore): Promise<() => Promise<void>>;
  /** How long the case keeps it: longer than the lease of `store`'s instances (several renewals). */
  holdMs: number;
}

/** What the cases need from the suite that registers them. */
export interface RecordStoreInstanceContext {
  store(): RecordStore;
  /** Waits out the store's declared lag after writes. */
  settle(): Promise<void>;
  reopen: ((store: RecordStore) => Promise<RecordStore> | RecordStore) | undefined;
  /** The suite's `older`: a store over storage an older release of the store left. */
  older: ((store: RecordStore) => Promise<RecordStore> | RecordStore) | undefined;
  longWriter: LongWriter | undefined;
  /** The store's declared `maxValueBytes` (`"unknown"`: it could not be read before the cases ran). */
  maxValueBytes: number | undefined | "unknown";
  atomicWrites: boolean;
}

/**
 * Registers the cases (inside the record-store suite's describe).
 * @example
 * recordStoreInstanceCases(h, { store: () => store, settle, reopen, older, maxValueBytes, atomicWrites });
 */
export function recordStoreInstanceCases(h: TestHarness, ctx: RecordStoreInstanceContext): void {
  const { expect } = h;
  const noReopen = !ctx.reopen && "no second instance over the same data (the suite got no reopen)";
  const opened: RecordStore[] = [];
  const open = async (
    of: (store: RecordStore) => Promise<RecordStore> | RecordStore,
  ): Promise<RecordStore> => {
    const other = await of(ctx.store());
    opened.push(other);
    await other.initialize();
    return other;
  };
  h.afterEach(async () => {
    for (const other of opened.splice(0)) await other.close().catch(() => {});
  });

  itUnless(h, ctx.maxValueBytes === undefined && "the store declares no maxValueBytes")(
    "put.max-value-bytes - a config over the declared maxValueBytes (in UTF-8 bytes) is a ValidationError and writes nothing",
    async () => {
      const store = ctx.store();
      const max = store.capabilities.maxValueBytes as number;
      if (ctx.maxValueBytes === "unknown")
        expect(
          max === undefined
            ? "the store declares no maxValueBytes: say so with capabilities in the suite options"
            : "declared",
        ).toBe("declared");
      else expect(max).toBe(ctx.maxValueBytes);
      expect(await store.put(record("big", 1), { expectedVersion: null })).toBe(true);
      // "€" is one UTF-16 unit and three UTF-8 bytes: fewer characters than the limit, more bytes.
      const wide = { ...record("big", 2), config: { pad: "€".repeat(Math.ceil(max / 3)) } };
      await expectRejects(h, store.put(wide, { expectedVersion: 1 }), ValidationError);
      const fresh = { ...record("huge", 1), config: { pad: "€".repeat(Math.ceil(max / 3)) } };
      await expectRejects(h, store.put(fresh, { expectedVersion: null }), ValidationError);
      await ctx.settle();
      expect(wire(await store.get("big"))).toEqual(record("big", 1));
      expect(await store.get("huge")).toBeNull();
    },
  );

  itUnless(
    h,
    noReopen ||
      (!ctx.atomicWrites && "the store declares no compare-and-set (atomicWrites: false)"),
  )(
    "put.create-two-instances - two instances creating the same ids at once: exactly one create of each wins",
    async () => {
      const store = ctx.store();
      const other = await open(ctx.reopen as NonNullable<typeof ctx.reopen>);
      const ids = Array.from({ length: 8 }, (_, i) => `twin-${i}`);
      const mark = (id: string, by: string) => ({ ...record(id, 1), config: { by } });
      for (const id of ids) {
        const wins = await Promise.all([
          store.put(mark(id, "first"), { expectedVersion: null }),
          other.put(mark(id, "second"), { expectedVersion: null }),
        ]);
        expect([id, wins.filter(Boolean).length]).toEqual([id, 1]);
        const winner = wins[0] ? "first" : "second";
        for (const reader of [store, other])
          expect(wire(await reader.get(id))).toEqual(mark(id, winner));
      }
    },
  );

  itUnless(h, noReopen)(
    "close.leaves-other-instances - closing one instance leaves the others over the same storage working",
    async () => {
      const store = ctx.store();
      const reopen = ctx.reopen as NonNullable<typeof ctx.reopen>;
      const [closing, staying] = [await open(reopen), await open(reopen)];
      expect(await closing.put(record("a", 1), { expectedVersion: null })).toBe(true);
      await closing.close();
      await ctx.settle();
      expect(wire(await staying.get("a"))).toEqual(record("a", 1));
      expect(await staying.put(record("a", 2), { expectedVersion: 1 })).toBe(true);
      await ctx.settle();
      expect((await store.get("a"))?.version).toBe(2);
    },
  );

  itUnless(h, !ctx.older && "no storage of an older release (the suite got no older)")(
    "upgrade.older-storage - a store over storage an older release left takes puts and reads them back",
    async () => {
      const older = await open(ctx.older as NonNullable<typeof ctx.older>);
      const ext = { labels: { stable: 1 } };
      expect(await older.put(record("up", 1, { ext }), { expectedVersion: null })).toBe(true);
      expect(await older.put(record("up", 2), { expectedVersion: 1 })).toBe(true);
      await ctx.settle();
      expect((await older.get("up"))?.version).toBe(2);
      expect((await older.history("up", {})).items.map((r) => r.version)).toContain(1);
    },
  );

  itUnless(h, !ctx.longWriter && "no long writer of another process (the suite got no longWriter)")(
    "lease.long-write - a write waits for another process's long one, however long it holds (its lease renewed), then goes on",
    async () => {
      const store = ctx.store();
      const writer = ctx.longWriter as LongWriter;
      const end = await writer.start(store);
      let done = false;
      const write = store.put(record("w", 1), { expectedVersion: null }).finally(() => {
        done = true;
      });
      try {
        await new Promise((r) => setTimeout(r, writer.holdMs));
        expect(done ? "written while the other process held it" : "waiting").toBe("waiting");
      } finally {
        await end();
      }
      expect(await write).toBe(true);
      await ctx.settle();
      expect((await store.get("w"))?.version).toBe(1);
    },
    60_000,
  );
}
