// R2BlobStore inside workerd, over the R2 binding wrangler.toml gives (miniflare's R2): the
// blob-store, knowledge-backend and search-index suites, and the R2-specific faults.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { R2BlobStore } from "../../src/adapters/r2/index.ts";
import { AdapterError, ValidationError } from "../../src/core/errors.ts";
import { bytesToStream } from "../../src/core/util/streams.ts";
import { BlobKnowledgeBackend } from "../../src/index.ts";
import { conformance, failingStream } from "../../src/testing/index.ts";
import { blobRecordPort } from "../fixtures/blob-records.ts";
import { emptyBucket, r2Port } from "./cloudflare-ports.ts";

const h = { describe, it, expect, beforeEach, afterEach };
const bucket = env.KNOWLEDGE;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

// The blob-store suite, and over the bucket the knowledge backend and the persisted search
// index; \`reopen\` is another isolate's store over the same bucket.
conformance(h, { name: "R2BlobStore (workerd)", blobStore: { ...r2Port() } });
// The registry in the bucket (BlobRecordStore): compare-and-set through R2's onlyIf.
conformance(h, {
  name: "BlobRecordStore over R2BlobStore (workerd)",
  recordStore: blobRecordPort({ blobs: () => new R2BlobStore({ bucket }), destroy: emptyBucket }),
});

describe("R2BlobStore faults and limits (workerd)", () => {
  const store = new R2BlobStore({ bucket });
  afterEach(emptyBucket);

  it("an upload cut off mid-stream lists no partial file, with or without a declared size", async () => {
    await store.put("kb/old.md", text("old"));
    const parts = [new Uint8Array(64 * 1024).fill(7), new Uint8Array(64 * 1024).fill(8)];
    await expect(
      store.put("kb/cut.md", failingStream(parts), { size: 1024 * 1024 }),
    ).rejects.toThrow();
    await expect(
      store.put("kb/old.md", failingStream(parts), { size: 1024 * 1024 }),
    ).rejects.toThrow();
    await expect(store.put("kb/cut2.md", failingStream(parts))).rejects.toThrow();
    const listed = await store.list({ prefix: "kb/" });
    expect(listed.objects.map((o) => [o.key, o.size])).toEqual([["kb/old.md", 3]]);
  });

  it("a streamed put with a known length goes through a FixedLengthStream; a wrong length is a ValidationError", async () => {
    expect(typeof (globalThis as { FixedLengthStream?: unknown }).FixedLengthStream).toBe(
      "function",
    );
    const big = new Uint8Array(2 * 1024 * 1024).map((_, i) => i % 253);
    const meta = await store.put("s/big.bin", bytesToStream(big), { size: big.length });
    expect(meta?.size).toBe(big.length);
    await expect(
      store.put("s/short.bin", bytesToStream(text("1234")), { size: 5 }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      store.put("s/long.bin", bytesToStream(text("123456")), { size: 5 }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect((await store.list({ prefix: "s/" })).objects.map((o) => o.key)).toEqual(["s/big.bin"]);
  });

  it("keys over 1,024 bytes are refused before the call with a ValidationError", async () => {
    await expect(store.put("k/".padEnd(1025, "x"), text("x"))).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(store.head("é".repeat(513))).rejects.toBeInstanceOf(ValidationError);
  });

  it("an R2 failure is an AdapterError naming r2 and the operation", async () => {
    const broken = new R2BlobStore({
      bucket: {
        ...bucket,
        head: () => Promise.reject(new Error("internal error")),
        put: bucket.put.bind(bucket),
      } as typeof bucket,
    });
    const error = await broken.head("x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).adapter).toBe("r2");
    expect((error as Error).message).toContain("head 'x'");
  });

  it("two isolates uploading to one knowledge base at once lose no file (onlyIf compare-and-set)", async () => {
    const a = new BlobKnowledgeBackend({ store: new R2BlobStore({ bucket }) });
    const b = new BlobKnowledgeBackend({ store: new R2BlobStore({ bucket }) });
    await a.initialize();
    await b.initialize();
    await a.createKb("shared");
    const uploads = Array.from({ length: 12 }, (_, i) =>
      (i % 2 ? a : b).putFile("shared", `f${String(i).padStart(2, "0")}.md`, text(`# File ${i}`)),
    );
    await Promise.all(uploads);
    const files = (await a.listFiles("shared")).map((f) => f.path).sort();
    expect(files).toEqual(
      Array.from({ length: 12 }, (_, i) => `f${String(i).padStart(2, "0")}.md`),
    );
    expect((await b.listFiles("shared")).length).toBe(12);
  });
});
