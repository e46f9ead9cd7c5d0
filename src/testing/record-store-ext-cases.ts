/**
 * The `RecordStore` suite's cases for the record envelope (`ext.*`: labels and write context,
 * kept as written and checked before writing) and for filtered listings (`list.where*`, on a
 * store that declares `capabilities.filters`), registered by `recordStoreSuite`.
 * @module
 */
import { ValidationError } from "../core/errors.ts";
import type { RecordExt } from "../core/registry/record-ext.ts";
import type { RecordFilterField, RecordStore } from "../core/registry/record-store.ts";
import type { RegistrationDict } from "../core/registry/registration.ts";
import { expectRejects, itUnless, type TestHarness } from "./harness.ts";
import { content, record, walkPages, wire, withOther } from "./record-store-helpers.ts";

/** What the cases need from the suite that registers them. */
export interface RecordStoreExtContext {
  store(): RecordStore;
  /** Waits out the store's declared lag after writes. */
  settle(): Promise<void>;
  /** The filters the store was declared to push down. */
  filters: readonly RecordFilterField[];
  reopen: ((store: RecordStore) => Promise<RecordStore> | RecordStore) | undefined;
}

const T2 = "2026-02-02T00:00:00.000Z";

/** The ids of a walk's pages, joined. */
const idsOf = (pages: { items: { bot_id: string }[] }[]): string[] =>
  pages.flatMap((p) => p.items.map((r) => r.bot_id));

/**
 * Registers the envelope and filter cases (inside the record-store suite's describe).
 * @example
 * recordStoreExtCases(h, { store: () => store, settle, filters: ["status"], reopen: undefined });
 */
export function recordStoreExtCases(h: TestHarness, ctx: RecordStoreExtContext): void {
  const { it, expect } = h;
  const noStatus =
    !ctx.filters.includes("status") &&
    "the store pushes no status filter down (capabilities.filters lacks 'status')";
  const itWhere = itUnless(h, noStatus);
  const itWhereReopened = itUnless(
    h,
    noStatus || (!ctx.reopen && "no second instance over the same data (the suite got no reopen)"),
  );

  it("ext.roundtrip - labels and write context come back from get, list, history and getVersion", async () => {
    const store = ctx.store();
    const v1 = record("e", 1, { ext: { write_context: { actor: "bob" } } });
    const v2 = record("e", 2, {
      ext: {
        labels: { stable: 1, "canary.eu-1": 2 },
        write_context: { actor: "alice@example.com", reason: 'héllo 🙂 "quoted"\nline' },
      },
    });
    const plain = record("plain", 1);
    expect(await store.put(v1, { expectedVersion: null })).toBe(true);
    expect(await store.put(v2, { expectedVersion: 1 })).toBe(true);
    expect(await store.put(plain, { expectedVersion: null })).toBe(true);
    await ctx.settle();
    expect(wire(await store.get("e"))).toEqual(v2);
    expect((await store.list()).items.map(wire)).toEqual([v2, plain]);
    expect((await store.history("e")).items.map(content)).toEqual([content(v2), content(v1)]);
    expect(wire(await store.getVersion("e", 1))).toEqual(v1);
    expect(wire(await store.getVersion("e", 2))).toEqual(v2);
    // A record written without one reads without one (as every record written before ext).
    expect((await store.get("plain"))?.ext).toBeUndefined();
    expect((await store.getVersion("plain", 1))?.ext).toBeUndefined();
    // A read copy is the caller's; a touch keeps ext.
    const copy = wire(await store.get("e")) as RegistrationDict;
    (copy.ext?.labels as Record<string, number>).stable = 2;
    expect(await store.touch("e", T2, { version: 2 })).toBe(true);
    await ctx.settle();
    expect(wire(await store.get("e"))).toEqual({ ...v2, last_accessed_at: T2 });
  });

  it("ext.per-version - each version keeps its own write context and labels as written", async () => {
    const store = ctx.store();
    const writes = [
      record("w", 1, { ext: { write_context: { actor: "a1", reason: "create" } } }),
      record("w", 2, { ext: { labels: { stable: 1 }, write_context: { actor: "a2" } } }),
      record("w", 3, { ext: { labels: { stable: 2, beta: 3 } } }),
      record("w", 4),
      record("w", 5, {
        ext: { labels: { stable: 4 }, write_context: { actor: "a5", reason: "" } },
      }),
    ];
    for (const [i, w] of writes.entries())
      expect(await store.put(w, { expectedVersion: i === 0 ? null : i })).toBe(true);
    await ctx.settle();
    const history = await walkPages((cursor) =>
      store.history("w", cursor === undefined ? { limit: 2 } : { cursor, limit: 2 }),
    );
    expect(history.flatMap((p) => p.items.map((r) => r.ext))).toEqual(
      [...writes].reverse().map((w) => w.ext),
    );
    for (const w of writes)
      expect(content(await store.getVersion("w", w.version))).toEqual(content(w));
  });

  it("ext.rejects-invalid - bad labels or write context: ValidationError naming ext, nothing written", async () => {
    const store = ctx.store();
    const bad: unknown[] = [
      [],
      "text",
      { unknown: 1 },
      { labels: { latest: 1 } },
      { labels: { "no/slash": 1 } },
      { labels: { "": 1 } },
      { labels: { a: 0 } },
      { labels: { a: 1.5 } },
      { labels: { a: "1" } },
      { labels: { a: 2 } },
      { labels: [1] },
      { write_context: { actor: "" } },
      { write_context: { actor: "x".repeat(257) } },
      { write_context: { actor: "a", reason: "x".repeat(1025) } },
      { write_context: { reason: "no actor" } },
      { write_context: { actor: 7 } },
      { write_context: { actor: "a", extra: true } },
      { write_context: "alice" },
    ];
    for (const ext of bad)
      await expectRejects(
        h,
        store.put(record("bad", 1, { ext: ext as RecordExt }), {
          expectedVersion: null,
        }),
        ValidationError,
        "ext",
      );
    // The limits themselves are fine.
    const edge = record("edge", 1, {
      ext: {
        labels: { [`l${"x".repeat(255)}`]: 1 },
        write_context: { actor: "a".repeat(256), reason: "r".repeat(1024) },
      },
    });
    expect(await store.put(edge, { expectedVersion: null })).toBe(true);
    await ctx.settle();
    expect(await store.get("bad")).toBeNull();
    expect(wire(await store.get("edge"))).toEqual(edge);
  });

  itWhere(
    "list.where - only matching records, in order, every page but the last full",
    async () => {
      const store = ctx.store();
      expect(store.capabilities.filters).toContain("status");
      const ids = Array.from(
        { length: 31 },
        (_, i) => `bot-${String((i * 7) % 31).padStart(2, "0")}`,
      );
      const statusOf = (id: string): string =>
        Number(id.slice(4)) % 3 === 0 ? "inactive" : "active";
      for (const id of ids)
        await store.put(record(id, 1, { status: statusOf(id) }), { expectedVersion: null });
      await ctx.settle();
      for (const status of ["active", "inactive"]) {
        const pages = await walkPages((cursor) =>
          store.list({ where: { status }, limit: 4, ...(cursor === undefined ? {} : { cursor }) }),
        );
        const want = [...ids].sort().filter((id) => statusOf(id) === status);
        expect(idsOf(pages)).toEqual(want);
        for (const page of pages) for (const r of page.items) expect(r.status).toBe(status);
        for (const page of pages.slice(0, -1)) expect(page.items).toHaveLength(4);
        expect(pages.length).toBe(Math.ceil(want.length / 4));
      }
      expect(await store.list({ where: { status: "archived" } })).toEqual({ items: [] });
      const first = await store.list({ where: { status: "inactive" }, limit: 1000 });
      expect(first.cursor).toBeUndefined();
      expect(first.items.map(wire)).toEqual(
        [...ids]
          .sort()
          .filter((id) => statusOf(id) === "inactive")
          .map((id) => record(id, 1, { status: "inactive" })),
      );
    },
  );

  itWhere(
    "list.where-under-writes - a filtered walk visits every record matching throughout once",
    async () => {
      const store = ctx.store();
      const stable = Array.from({ length: 12 }, (_, i) => `s-${String(i).padStart(2, "0")}`);
      const flipping = Array.from({ length: 8 }, (_, i) => `f-${String(i).padStart(2, "0")}`);
      const off = Array.from({ length: 8 }, (_, i) => `o-${String(i).padStart(2, "0")}`);
      for (const id of [...stable, ...flipping])
        await store.put(record(id, 1), { expectedVersion: null });
      for (const id of off)
        await store.put(record(id, 1, { status: "inactive" }), { expectedVersion: null });
      await ctx.settle();
      let n = 0;
      const pages = await walkPages(
        (cursor) =>
          store.list({
            where: { status: "active" },
            limit: 3,
            ...(cursor === undefined ? {} : { cursor }),
          }),
        async () => {
          // Between pages: one record stops matching, one starts, new ones on both sides, a stable one rewritten.
          const f = flipping[n % flipping.length] as string;
          const fv = (await store.get(f))?.version as number;
          await store.put(record(f, fv + 1, { status: "inactive" }), { expectedVersion: fv });
          const o = off[n % off.length] as string;
          const ov = (await store.get(o))?.version as number;
          await store.put(record(o, ov + 1), { expectedVersion: ov });
          await store.put(record(`a-new-${n}`, 1), { expectedVersion: null });
          await store.put(record(`z-new-${n}`, 1), { expectedVersion: null });
          const s = stable[(n * 5) % stable.length] as string;
          const sv = (await store.get(s))?.version as number;
          await store.put(record(s, sv + 1), { expectedVersion: sv });
          n++;
          await ctx.settle();
        },
      );
      const seen = idsOf(pages);
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual(seen);
      for (const id of stable) expect(seen.filter((s) => s === id)).toEqual([id]);
      for (const page of pages) for (const r of page.items) expect(r.status).toBe("active");
      expect(n).toBeGreaterThan(2);
    },
  );

  itWhereReopened(
    "list.where-second-instance - another instance over the same data filters the other's writes",
    async () => {
      const store = ctx.store();
      await withOther(store, ctx.reopen, async (other) => {
        for (let i = 0; i < 9; i++)
          await store.put(record(`r-${i}`, 1, { status: i % 2 === 0 ? "active" : "inactive" }), {
            expectedVersion: null,
          });
        await ctx.settle();
        const inactive = await walkPages((cursor) =>
          other.list({
            where: { status: "inactive" },
            limit: 2,
            ...(cursor === undefined ? {} : { cursor }),
          }),
        );
        expect(idsOf(inactive)).toEqual(["r-1", "r-3", "r-5", "r-7"]);
        expect(await other.put(record("r-1", 2), { expectedVersion: 1 })).toBe(true);
        expect(
          await other.put(record("r-2", 2, { status: "inactive" }), { expectedVersion: 1 }),
        ).toBe(true);
        await ctx.settle();
        const after = await walkPages((cursor) =>
          store.list({
            where: { status: "inactive" },
            limit: 2,
            ...(cursor === undefined ? {} : { cursor }),
          }),
        );
        expect(idsOf(after)).toEqual(["r-2", "r-3", "r-5", "r-7"]);
      });
    },
  );
}
