/**
 * The `BlobStore` suite's cases for what an adapter author gets wrong at the edges: listings and
 * bulk deletes past one page (over 1,000 keys), delimiter listings walked page by page, ranged reads at the end of an object
 * (and the whole object's size on a ranged read), bytes the store shares with its caller,
 * conditional puts against a missing or deleted key, etags of quick rewrites of the same size
 * (one after another, and at once), the content type on every read path, and a second instance
 * over the same storage (`reopen`). Registered by `blobStoreSuite`.
 * @module
 */
import { copyObject } from "../core/blob/copy.ts";
import type { BlobStore, BlobStoreCapabilities } from "../core/blob/types.ts";
import { readAll } from "../core/util/streams.ts";
import { itUnless, type TestHarness } from "./harness.ts";

/** What the cases need from the suite that registers them. */
export interface BlobStoreEdgeContext {
  store(): BlobStore;
  /** Where the read cases put what they read (a read-only store's writer, else the store). */
  writer(): BlobStore;
  /** What the store was declared to have. */
  capabilities: BlobStoreCapabilities;
  /** Another instance over the same storage (the suite's `reopen`). */
  reopen: ((store: BlobStore) => Promise<BlobStore> | BlobStore) | undefined;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const decode = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Every key of a walk under `prefix` with the store's default page size. */
async function walkKeys(store: BlobStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.list({ prefix, ...(cursor ? { cursor } : {}) });
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.cursor;
    if (++pages > 10_000) throw new Error("the walk does not end");
  } while (cursor);
  return keys;
}

/**
 * Registers the edge cases (inside the blob-store suite's describe).
 * @example
 * blobStoreEdgeCases(h, { store: () => store, capabilities: caps });
 */
export function blobStoreEdgeCases(h: TestHarness, ctx: BlobStoreEdgeContext): void {
  const { it, expect } = h;
  const caps = ctx.capabilities;
  const readOnly = caps.readOnly === true && "the store is read-only (capabilities.readOnly)";
  const itWrites = itUnless(h, readOnly);
  const itCas = itUnless(
    h,
    (!caps.conditionalPut && "the store declares conditionalPut: false") || readOnly,
  );
  const itLists = itUnless(
    h,
    caps.list === false && "the store cannot list (capabilities.list is false)",
  );
  const itReopened = itUnless(
    h,
    (!ctx.reopen && "no second instance over the same storage (the suite got no reopen)") ||
      readOnly,
  );
  const read = async (key: string, range?: { offset: number; length?: number }) => {
    const o = await ctx.store().get(key, range ? { range } : {});
    return o ? decode(await readAll(o.body)) : null;
  };

  itWrites(
    "list.past-one-page - over 1,000 keys: a default walk sees each once, one delete call removes them all",
    async () => {
      const store = ctx.store();
      const keys = Array.from({ length: 1_012 }, (_, i) => `many/${String(i).padStart(5, "0")}`);
      for (let i = 0; i < keys.length; i += 50)
        await Promise.all(keys.slice(i, i + 50).map((k) => store.put(k, text("x"))));
      await store.put("many-not/under.txt", text("other"));
      expect(await walkKeys(store, "many/")).toEqual(keys);
      await store.delete(keys);
      expect(await walkKeys(store, "many/")).toEqual([]);
      expect(await read("many-not/under.txt")).toBe("other");
    },
    120_000,
  );

  itWrites(
    'delete.prefix-then-key - after put and delete of "pd/a/b", a put of "pd/a" succeeds and reads back',
    async () => {
      const store = ctx.store();
      await store.put("pd/a/b", text("inner"));
      await store.delete("pd/a/b");
      await store.put("pd/a", text("outer"));
      expect(await read("pd/a")).toBe("outer");
    },
  );

  itWrites(
    "delete.special-keys - one delete call removes keys with XML-special characters",
    async () => {
      const store = ctx.store();
      const keys = ["sk/a&b<c.md", "sk/plain.md"];
      for (const k of keys) await store.put(k, text(k));
      await store.delete(keys);
      expect(await walkKeys(store, "sk/")).toEqual([]);
    },
  );

  itLists(
    "list.delimiter-pages - a walk with a delimiter, one entry a page, lists each rolled-up prefix and key exactly once",
    async () => {
      const store = ctx.store();
      for (const k of ["d/a/1", "d/a/2", "d/a/3", "d/b", "d/c/1"])
        await ctx.writer().put(k, text(k));
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.list({
          prefix: "d/",
          delimiter: "/",
          limit: 1,
          ...(cursor ? { cursor } : {}),
        });
        seen.push(...page.prefixes, ...page.objects.map((o) => o.key));
        cursor = page.cursor;
        if (++pages > 20) throw new Error(`the walk does not end: ${seen.join(" ")}`);
      } while (cursor);
      expect(seen.sort()).toEqual(["d/a/", "d/b", "d/c/"]);
    },
  );

  it("get.range-end - a range at or past the end is cut there; an empty range is empty", async () => {
    await ctx.writer().put("end.txt", text("0123456789"));
    expect(await read("end.txt", { offset: 8, length: 5 })).toBe("89");
    expect(await read("end.txt", { offset: 9 })).toBe("9");
    expect(await read("end.txt", { offset: 10 })).toBe("");
    expect(await read("end.txt", { offset: 10, length: 4 })).toBe("");
    expect(await read("end.txt", { offset: 25 })).toBe("");
    expect(await read("end.txt", { offset: 3, length: 0 })).toBe("");
    expect(await read("end.txt", { offset: 0, length: 10 })).toBe("0123456789");
    await ctx.writer().put("empty.bin", new Uint8Array(0));
    expect(await read("empty.bin", { offset: 0 })).toBe("");
  });

  itWrites(
    "put.owns-bytes - put keeps its own copy of the caller's buffer, and get hands out bytes the caller may change",
    async () => {
      const store = ctx.store();
      const mine = text("original");
      await store.put("own.bin", mine);
      mine.fill(120); // "x"
      expect(await read("own.bin")).toBe("original");
      const got = await store.get("own.bin");
      const reader = (got as NonNullable<typeof got>).body.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) r.value.fill(121); // "y"
      expect(await read("own.bin")).toBe("original");
    },
  );

  it("get.range-size - a ranged get's size is the whole object's, not the range's", async () => {
    await ctx.writer().put("sized.txt", text("0123456789"));
    const part = await ctx.store().get("sized.txt", { range: { offset: 2, length: 3 } });
    expect(part?.size).toBe(10);
    expect(decode(await readAll((part as NonNullable<typeof part>).body))).toBe("234");
    const tail = await ctx.store().get("sized.txt", { range: { offset: 7 } });
    expect(tail?.size).toBe(10);
    await tail?.body.cancel();
  });

  itCas(
    "put.if-match-missing - an etag condition on a missing or deleted key writes nothing",
    async () => {
      const store = ctx.store();
      expect(await store.put("gone.txt", text("a"), { ifMatch: "some-etag" })).toBeNull();
      expect(await store.head("gone.txt")).toBeNull();
      const first = await store.put("gone.txt", text("a"));
      await store.delete("gone.txt");
      // The etag it had before the delete is no condition for writing it again.
      expect(await store.put("gone.txt", text("b"), { ifMatch: first?.etag as string })).toBeNull();
      expect(await store.head("gone.txt")).toBeNull();
      expect(await store.put("gone.txt", text("c"), { ifMatch: null })).not.toBeNull();
      expect(await read("gone.txt")).toBe("c");
    },
  );

  itWrites(
    "put.etag-rewrites - quick rewrites of the same size each get a new etag; a stale one matches nothing",
    async () => {
      const store = ctx.store();
      const seen: string[] = [];
      let previous: string | undefined;
      for (let i = 0; i < 12; i++) {
        const meta = await store.put("same.txt", text(`v${String(i).padStart(2, "0")}`));
        const etag = meta?.etag as string;
        expect(seen).not.toContain(etag);
        expect((await store.head("same.txt"))?.etag).toBe(etag);
        if (previous !== undefined && caps.conditionalPut)
          expect(await store.put("same.txt", text("zzz"), { ifMatch: previous })).toBeNull();
        seen.push(etag);
        previous = etag;
      }
      expect(await read("same.txt")).toBe("v11");
    },
  );

  // Versions written at once land within one tick of any clock: an etag made of the size and a
  // modification time (of any resolution) repeats among them, whatever the machine's speed.
  itWrites(
    "put.etag-same-instant - same-size versions of one key written at once each get their own etag; only the last one's matches",
    async () => {
      const store = ctx.store();
      const seen = new Set([(await store.put("instant.txt", text("v-000")))?.etag as string]);
      for (let round = 0; round < 5; round++) {
        const bodies = Array.from({ length: 8 }, (_, i) => `r${round}-${i}x`);
        const metas = await Promise.all(bodies.map((b) => store.put("instant.txt", text(b))));
        for (const meta of metas) {
          expect(seen.has(meta?.etag as string)).toBe(false);
          seen.add(meta?.etag as string);
        }
        // What is stored is one of them, under the etag its own put returned.
        const now = await store.get("instant.txt");
        const last = bodies.indexOf(decode(await readAll((now as NonNullable<typeof now>).body)));
        expect(last).toBeGreaterThanOrEqual(0);
        expect(now?.etag).toBe(metas[last]?.etag);
        if (!caps.conditionalPut) continue;
        for (const [i, meta] of metas.entries())
          if (i !== last)
            expect(
              await store.put("instant.txt", text("zzzzz"), { ifMatch: meta?.etag as string }),
            ).toBeNull();
        expect(await read("instant.txt")).toBe(bodies[last]);
      }
    },
  );

  itReopened(
    "reopen.sees-writes - two instances over the same storage see each other's puts and deletes in list, head and get",
    async () => {
      const store = ctx.store();
      const other = await (ctx.reopen as NonNullable<typeof ctx.reopen>)(store);
      await other.initialize();
      const listed = async (s: BlobStore): Promise<Array<[string, number, string]>> =>
        (await s.list({ prefix: "ro/" })).objects.map((o) => [o.key, o.size, o.etag]);
      try {
        // Both list before the writes, so a listing kept from then would show stale pages after.
        for (const s of [store, other]) expect(await listed(s)).toEqual([]);
        for (const [writer, reader, key] of [
          [store, other, "ro/a.txt"],
          [other, store, "ro/b.txt"],
        ] as const) {
          const kept = await listed(reader);
          // Each read path is checked first after a write: one that caught up would hide another.
          const first = await writer.put(key, text("one"));
          expect(await listed(reader)).toEqual([...kept, [key, 3, first?.etag]].sort());
          const second = await writer.put(key, text("two!"));
          expect((await reader.head(key))?.etag).toBe(second?.etag);
          expect(await listed(reader)).toEqual([...kept, [key, 4, second?.etag]].sort());
          await writer.delete(key);
          expect(await listed(reader)).toEqual(kept);
          expect(await reader.get(key)).toBeNull();
          await writer.put(key, text("three"));
        }
        expect((await listed(store)).map(([k, size]) => [k, size])).toEqual([
          ["ro/a.txt", 5],
          ["ro/b.txt", 5],
        ]);
      } finally {
        await other.close();
      }
    },
  );

  itWrites(
    "content-type.every-read - head, get, a ranged get, list and a copy carry what put was given",
    async () => {
      const store = ctx.store();
      const want = (type: string): string | null => (caps.contentTypes ? type : null);
      const put = await store.put("ct/page.html", text("<p>hi</p>"), {
        contentType: "text/html; charset=utf-8",
      });
      await store.put("ct/plain.bin", text("raw"));
      expect(put?.contentType).toBe(want("text/html; charset=utf-8"));
      expect((await store.head("ct/page.html"))?.contentType).toBe(
        want("text/html; charset=utf-8"),
      );
      expect((await store.get("ct/page.html"))?.contentType).toBe(want("text/html; charset=utf-8"));
      const ranged = await store.get("ct/page.html", { range: { offset: 1, length: 2 } });
      expect(ranged?.contentType).toBe(want("text/html; charset=utf-8"));
      await ranged?.body.cancel();
      const listed = (await store.list({ prefix: "ct/" })).objects;
      expect(listed.map((o) => [o.key, o.contentType])).toEqual([
        ["ct/page.html", want("text/html; charset=utf-8")],
        ["ct/plain.bin", null],
      ]);
      await copyObject(store, "ct/page.html", "ct/copy.html");
      expect((await store.head("ct/copy.html"))?.contentType).toBe(
        want("text/html; charset=utf-8"),
      );
      // A rewrite with another type replaces it.
      await store.put("ct/page.html", text("{}"), { contentType: "application/json" });
      expect((await store.head("ct/page.html"))?.contentType).toBe(want("application/json"));
    },
  );
}
