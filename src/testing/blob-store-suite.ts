/**
 * The `BlobStore` conformance suite: the memory and file-system stores run it here; every blob
 * store adapter (R2, S3, IndexedDB, …) is meant to. The edge cases (past one page, ranges at the
 * end, conditions on missing keys, etags of quick rewrites, content types on every read) are in
 * `blob-store-edge-cases.ts`.
 * @module
 */
import { copyObject } from "../core/blob/copy.ts";
import type { BlobStore, BlobStoreCapabilities } from "../core/blob/types.ts";
import { UnsupportedError, ValidationError } from "../core/errors.ts";
import { bytesToStream, readAll } from "../core/util/streams.ts";
import { blobStoreEdgeCases } from "./blob-store-edge-cases.ts";
import { readOnlyCases } from "./blob-store-read-only-cases.ts";
import { expectRejects, itUnless, type TestHarness } from "./harness.ts";

/** Options of {@link blobStoreSuite}. */
export interface BlobStoreSuiteOptions {
  name: string;
  /** A fresh, empty store. */
  create(): Promise<BlobStore> | BlobStore;
  destroy?(store: BlobStore): Promise<void>;
  /**
   * What the store lacks, as its `capabilities` say (default: everything is there). Cases that
   * need a missing capability are reported as skipped; one case checks the declaration.
   */
  capabilities?: Partial<BlobStoreCapabilities>;
  /**
   * Another instance over the same storage, as another process or isolate would open it, for
   * `reopen.sees-writes` (and, in `conformance()`, the suites over the store); without it that
   * case is skipped, saying so.
   */
  reopen?(store: BlobStore): Promise<BlobStore> | BlobStore;
  /**
   * For a store declaring `readOnly`: a writable store over the same storage (the folder an HTTP
   * server serves, say). The read cases put the objects they read through it and clean up with
   * it; the cases that write through the store itself are reported as skipped.
   */
  writer?(store: BlobStore): Promise<BlobStore> | BlobStore;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const decode = (b: Uint8Array): string => new TextDecoder().decode(b);

/** A stream that yields `parts` and then fails. */
export function failingStream(parts: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < parts.length) controller.enqueue(parts[i++] as Uint8Array);
      else controller.error(new Error("connection reset by peer"));
    },
  });
}

/** Runs the `BlobStore` conformance suite. */
export function blobStoreSuite(h: TestHarness, options: BlobStoreSuiteOptions): void {
  const { describe, it, expect, beforeEach, afterEach } = h;
  const caps: BlobStoreCapabilities = {
    conditionalPut: true,
    paginatedList: true,
    contentTypes: true,
    ...options.capabilities,
  };
  const readOnly = caps.readOnly === true && "the store is read-only (capabilities.readOnly)";
  const unlisted = caps.list === false && "the store cannot list (capabilities.list is false)";
  const itWrites = itUnless(h, readOnly);
  const itCas = itUnless(
    h,
    (!caps.conditionalPut && "the store declares conditionalPut: false") || readOnly,
  );
  const itLists = itUnless(h, unlisted);
  const itNames = itUnless(
    h,
    (caps.maxNameBytes === undefined && "the store declares no maxNameBytes") || readOnly,
  );
  describe(`BlobStore conformance: ${options.name}`, () => {
    let store: BlobStore;
    /** Where the read cases put what they read: the store, or a read-only store's `writer`. */
    let writer: BlobStore;
    const body = async (key: string): Promise<string | null> => {
      const o = await store.get(key);
      return o ? decode(await readAll(o.body)) : null;
    };

    beforeEach(async () => {
      store = await options.create();
      await store.initialize();
      if (readOnly && !options.writer)
        throw new Error(
          `${options.name}: the store declares readOnly; give the suite a writer (a writable store over the same storage)`,
        );
      writer = readOnly && options.writer ? await options.writer(store) : store;
    });
    afterEach(async () => {
      if (options.destroy) await options.destroy(store);
      else {
        const all = await writer.list({});
        await writer.delete(all.objects.map((o) => o.key));
        await store.close();
      }
    });

    it("capabilities - the store declares what the suite was told", () => {
      expect({ ...store.capabilities }).toEqual(caps);
    });

    itNames(
      "names.max - a name of maxNameBytes is stored (and replaced); one byte more is a ValidationError",
      async () => {
        const max = caps.maxNameBytes as number;
        const key = `n/${"a".repeat(max - 3)}.md`;
        expect((await store.put(key, text("1")))?.size).toBe(1);
        expect((await store.put(key, text("22")))?.size).toBe(2);
        expect(await body(key)).toBe("22");
        await expectRejects(
          h,
          store.put(`n/${"a".repeat(max - 2)}.md`, text("1")),
          ValidationError,
          `${max} bytes`,
        );
      },
    );

    itWrites("put.get - bytes round-trip with size, etag and content type", async () => {
      const meta = await store.put("a/b.md", text("# Hello"), { contentType: "text/markdown" });
      expect(meta?.size).toBe(7);
      expect(typeof meta?.etag).toBe("string");
      const head = await store.head("a/b.md");
      expect([head?.size, head?.etag]).toEqual([7, meta?.etag]);
      expect(head?.contentType).toBe(caps.contentTypes ? "text/markdown" : null);
      expect(await body("a/b.md")).toBe("# Hello");
    });

    itWrites("put.stream - a stream is stored whole", async () => {
      const big = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => i % 251);
      await store.put("big.bin", bytesToStream(big, 64 * 1024));
      const got = await store.get("big.bin");
      const bytes = await readAll(got?.body as ReadableStream<Uint8Array>);
      expect(bytes.length).toBe(big.length);
      expect(bytes[big.length - 1]).toBe(big[big.length - 1]);
      expect(bytes[1_000_000]).toBe(big[1_000_000]);
    });

    itWrites("put.failed-stream - a stream that breaks leaves the old object", async () => {
      await store.put("f.txt", text("old"));
      let failed = false;
      try {
        await store.put("f.txt", failingStream([text("new "), text("partial")]));
      } catch {
        failed = true;
      }
      expect(failed).toBe(true);
      expect(await body("f.txt")).toBe("old");
      try {
        await store.put("g.txt", failingStream([text("partial")]));
      } catch {
        // expected
      }
      expect(await store.head("g.txt")).toBeNull();
    });

    it("get.missing - null", async () => {
      expect(await store.get("nope")).toBeNull();
      expect(await store.head("nope")).toBeNull();
    });

    it("get.range - offset and length", async () => {
      await writer.put("r.txt", text("0123456789"));
      const part = await store.get("r.txt", { range: { offset: 2, length: 3 } });
      expect(decode(await readAll(part?.body as ReadableStream<Uint8Array>))).toBe("234");
      const tail = await store.get("r.txt", { range: { offset: 7 } });
      expect(decode(await readAll(tail?.body as ReadableStream<Uint8Array>))).toBe("789");
    });

    itCas("put.if-match - create-only with null, compare-and-set with an etag", async () => {
      const first = await store.put("c.json", text("1"), { ifMatch: null });
      expect(first).not.toBeNull();
      expect(await store.put("c.json", text("2"), { ifMatch: null })).toBeNull();
      expect(await store.put("c.json", text("2"), { ifMatch: "not-the-etag" })).toBeNull();
      const second = await store.put("c.json", text("2"), { ifMatch: first?.etag as string });
      expect(second?.etag).not.toBe(first?.etag);
      expect(await body("c.json")).toBe("2");
    });

    itCas("put.if-match.race - of 20 racing puts on one etag, exactly one wins", async () => {
      const first = await store.put("race.txt", text("0"));
      const wins = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.put("race.txt", text(String(i + 1)), { ifMatch: first?.etag as string }),
        ),
      );
      const won = wins.filter((w) => w !== null);
      expect(won).toHaveLength(1);
      expect((await store.head("race.txt"))?.etag).toBe(won[0]?.etag);
      const created = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.put("new.txt", text(String(i)), { ifMatch: null }),
        ),
      );
      expect(created.filter((c) => c !== null)).toHaveLength(1);
    });

    if (!caps.conditionalPut) {
      itWrites(
        "put.if-match.unsupported - a precondition it cannot honour throws UnsupportedError",
        async () => {
          await expectRejects(
            h,
            store.put("c.json", text("1"), { ifMatch: null }),
            UnsupportedError,
          );
          expect(await store.head("c.json")).toBeNull();
        },
      );
    }

    itWrites("put.size - a declared length is checked; a mismatch writes nothing", async () => {
      const meta = await store.put("s.bin", bytesToStream(text("12345")), { size: 5 });
      expect(meta?.size).toBe(5);
      await expectRejects(h, store.put("s.bin", text("123"), { size: 4 }), ValidationError, "4");
      await expectRejects(
        h,
        store.put("s.bin", bytesToStream(text("1234567")), { size: 5 }),
        ValidationError,
      );
      await expectRejects(h, store.put("t.bin", text("1"), { size: -1 }), ValidationError);
      expect(await body("s.bin")).toBe("12345");
      expect(await store.head("t.bin")).toBeNull();
    });

    itWrites(
      "copy - the target gets the bytes; the source stays; a missing source gives null",
      async () => {
        await store.put("from/a.md", text("copied"));
        const meta = await copyObject(store, "from/a.md", "to/deep/b.md");
        expect(meta?.size).toBe(6);
        expect(await body("to/deep/b.md")).toBe("copied");
        await store.put("from/a.md", text("changed"));
        expect(await body("to/deep/b.md")).toBe("copied");
        expect(await copyObject(store, "missing", "to/c.md")).toBeNull();
        expect(await store.head("to/c.md")).toBeNull();
      },
    );

    itWrites("put.overwrite - the etag changes with the content", async () => {
      const a = await store.put("o.txt", text("a"));
      const b = await store.put("o.txt", text("b"));
      expect(a?.etag).not.toBe(b?.etag);
    });

    itWrites("put.empty - a zero-byte object", async () => {
      await store.put("empty.txt", new Uint8Array(0));
      expect((await store.head("empty.txt"))?.size).toBe(0);
      expect(await body("empty.txt")).toBe("");
    });

    it("keys - spaces, unicode and deep paths", async () => {
      const keys = ["d/file name.md", "d/ünïcødé/文件.md", "d/a/b/c/d/e.txt"];
      for (const k of keys) await writer.put(k, text(k));
      for (const k of keys) expect(await body(k)).toBe(k);
    });

    itWrites("delete - one, many, and missing keys", async () => {
      for (const k of ["x/1", "x/2", "x/3"]) await store.put(k, text(k));
      await store.delete("x/1");
      await store.delete(["x/2", "x/missing"]);
      expect((await store.list({ prefix: "x/" })).objects.map((o) => o.key)).toEqual(["x/3"]);
    });

    itLists("list - prefix, sorted, delimiter roll-up", async () => {
      for (const k of [
        "kb/b/_metadata.json",
        "kb/a/_metadata.json",
        "kb/a/x.md",
        "kb/top.md",
        "other/z.md",
      ])
        await writer.put(k, text(k));
      const flat = await store.list({ prefix: "kb/" });
      expect(flat.objects.map((o) => o.key)).toEqual([
        "kb/a/_metadata.json",
        "kb/a/x.md",
        "kb/b/_metadata.json",
        "kb/top.md",
      ]);
      const rolled = await store.list({ prefix: "kb/", delimiter: "/" });
      expect(rolled.prefixes.sort()).toEqual(["kb/a/", "kb/b/"]);
      expect(rolled.objects.map((o) => o.key)).toEqual(["kb/top.md"]);
    });

    itLists("list.pages - limit and cursor visit every key once", async () => {
      const keys = Array.from({ length: 25 }, (_, i) => `p/${String(i).padStart(2, "0")}`);
      for (const k of keys) await writer.put(k, text(k));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list({ prefix: "p/", limit: 7, ...(cursor ? { cursor } : {}) });
        seen.push(...page.objects.map((o) => o.key));
        cursor = page.cursor;
      } while (cursor);
      expect(seen).toEqual(keys);
    });

    blobStoreEdgeCases(h, {
      store: () => store,
      writer: () => writer,
      capabilities: caps,
      reopen: options.reopen,
    });
    if (readOnly) readOnlyCases(h, { store: () => store, writer: () => writer });
  });
}
