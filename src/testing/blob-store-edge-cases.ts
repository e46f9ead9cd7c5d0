/**
 * The `BlobStore` suite's cases for what an adapter author gets wrong at the edges: listings and
 * bulk deletes past one page (over 1,000 keys), ranged reads at the end of an object,
 * conditional puts against a missing or deleted key, etags of quick rewrites of the same size,
 * and the content type on every read path. Registered by `blobStoreSuite`.
 * @module
 */
import { copyObject } from "../core/blob/copy.ts";
import type { BlobStore, BlobStoreCapabilities } from "../core/blob/types.ts";
import { readAll } from "../core/util/streams.ts";
import { itUnless, type TestHarness } from "./harness.ts";

/** What the cases need from the suite that registers them. */
export interface BlobStoreEdgeContext {
  store(): BlobStore;
  /** What the store was declared to have. */
  capabilities: BlobStoreCapabilities;
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
  const itCas = itUnless(h, !caps.conditionalPut && "the store declares conditionalPut: false");
  const read = async (key: string, range?: { offset: number; length?: number }) => {
    const o = await ctx.store().get(key, range ? { range } : {});
    return o ? decode(await readAll(o.body)) : null;
  };

  it("list.past-one-page - over 1,000 keys: a default walk sees each once, one delete call removes them all", async () => {
    const store = ctx.store();
    const keys = Array.from({ length: 1_012 }, (_, i) => `many/${String(i).padStart(5, "0")}`);
    for (let i = 0; i < keys.length; i += 50)
      await Promise.all(keys.slice(i, i + 50).map((k) => store.put(k, text("x"))));
    await store.put("many-not/under.txt", text("other"));
    expect(await walkKeys(store, "many/")).toEqual(keys);
    await store.delete(keys);
    expect(await walkKeys(store, "many/")).toEqual([]);
    expect(await read("many-not/under.txt")).toBe("other");
  }, 120_000);

  it("get.range-end - a range at or past the end is cut there; an empty range is empty", async () => {
    await ctx.store().put("end.txt", text("0123456789"));
    expect(await read("end.txt", { offset: 8, length: 5 })).toBe("89");
    expect(await read("end.txt", { offset: 9 })).toBe("9");
    expect(await read("end.txt", { offset: 10 })).toBe("");
    expect(await read("end.txt", { offset: 10, length: 4 })).toBe("");
    expect(await read("end.txt", { offset: 25 })).toBe("");
    expect(await read("end.txt", { offset: 3, length: 0 })).toBe("");
    expect(await read("end.txt", { offset: 0, length: 10 })).toBe("0123456789");
    await ctx.store().put("empty.bin", new Uint8Array(0));
    expect(await read("empty.bin", { offset: 0 })).toBe("");
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

  it("put.etag-rewrites - quick rewrites of the same size each get a new etag; a stale one matches nothing", async () => {
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
  });

  it("content-type.every-read - head, get, a ranged get, list and a copy carry what put was given", async () => {
    const store = ctx.store();
    const want = (type: string): string | null => (caps.contentTypes ? type : null);
    const put = await store.put("ct/page.html", text("<p>hi</p>"), {
      contentType: "text/html; charset=utf-8",
    });
    await store.put("ct/plain.bin", text("raw"));
    expect(put?.contentType).toBe(want("text/html; charset=utf-8"));
    expect((await store.head("ct/page.html"))?.contentType).toBe(want("text/html; charset=utf-8"));
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
    expect((await store.head("ct/copy.html"))?.contentType).toBe(want("text/html; charset=utf-8"));
    // A rewrite with another type replaces it.
    await store.put("ct/page.html", text("{}"), { contentType: "application/json" });
    expect((await store.head("ct/page.html"))?.contentType).toBe(want("application/json"));
  });
}
