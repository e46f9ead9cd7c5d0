/**
 * The `BlobStore` suite's cases for a store declaring `capabilities.readOnly` (plain HTTP): it
 * reads what its writer wrote — whole, ranged, large — with `head` and `get` agreeing, and every
 * write rejects with `ReadOnlyError`, changing nothing. Registered by `blobStoreSuite` for such a
 * store only; its write cases show as skipped there.
 * @module
 */
import type { BlobStore } from "../core/blob/types.ts";
import { ReadOnlyError } from "../core/errors.ts";
import { readAll } from "../core/util/streams.ts";
import { expectRejects, type TestHarness } from "./harness.ts";

/** What the cases need from the suite that registers them. */
export interface ReadOnlyContext {
  store(): BlobStore;
  /** The writable store over the same storage. */
  writer(): BlobStore;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * Registers the read-only cases (inside the blob-store suite's describe).
 * @example
 * if (caps.readOnly) readOnlyCases(h, { store: () => store, writer: () => writer });
 */
export function readOnlyCases(h: TestHarness, ctx: ReadOnlyContext): void {
  const { it, expect } = h;

  it("read-only.reads - what the writer wrote: head and get agree on size and etag; whole, ranged and large reads give its bytes", async () => {
    const store = ctx.store();
    await ctx.writer().put("a/b.md", text("# Hello"));
    const head = await store.head("a/b.md");
    const got = await store.get("a/b.md");
    expect([head?.key, head?.size, typeof head?.etag]).toEqual(["a/b.md", 7, "string"]);
    expect([got?.size, got?.etag]).toEqual([7, head?.etag]);
    expect(new TextDecoder().decode(await readAll(got?.body as ReadableStream<Uint8Array>))).toBe(
      "# Hello",
    );
    const big = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => i % 251);
    await ctx.writer().put("big.bin", big);
    const whole = await readAll((await store.get("big.bin"))?.body as ReadableStream<Uint8Array>);
    expect([whole.length, whole[1_000_000], whole[big.length - 1]]).toEqual([
      big.length,
      big[1_000_000],
      big[big.length - 1],
    ]);
    const part = await store.get("big.bin", { range: { offset: 2_000_000, length: 70_000 } });
    expect(part?.size).toBe(big.length);
    const bytes = await readAll(part?.body as ReadableStream<Uint8Array>);
    expect([bytes.length, bytes[0], bytes[69_999]]).toEqual([
      70_000,
      big[2_000_000],
      big[2_069_999],
    ]);
  }, 60_000);

  it("read-only.writes - put, a conditional put, delete and copy reject with ReadOnlyError and change nothing", async () => {
    const store = ctx.store();
    await ctx.writer().put("kept.txt", text("kept"));
    const before = await store.head("kept.txt");
    await expectRejects(h, store.put("kept.txt", text("new")), ReadOnlyError, "read-only");
    await expectRejects(h, store.put("new.txt", text("n"), { ifMatch: null }), ReadOnlyError);
    await expectRejects(h, store.delete("kept.txt"), ReadOnlyError, "kept.txt");
    await expectRejects(h, store.delete(["kept.txt", "x"]), ReadOnlyError);
    if (store.copy) await expectRejects(h, store.copy("kept.txt", "c.txt"), ReadOnlyError);
    expect((await store.head("kept.txt"))?.etag).toBe(before?.etag);
    expect(await store.head("new.txt")).toBeNull();
    expect(await ctx.writer().head("c.txt")).toBeNull();
  });
}
