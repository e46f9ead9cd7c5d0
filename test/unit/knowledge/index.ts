/**
 * `src/core/knowledge/index/` — The built-in search index's own behaviour beyond the port: its
 * persisted form (segments, compaction, small deltas) and what it does with a damaged or newer
 * index.
 */
import { readAll } from "../../../src/core/util/streams.ts";
import {
  AdapterError,
  BlobSearchIndex,
  type BlobStore,
  type IndexHead,
  InMemoryKnowledgeBackend,
  KnowledgeIngestionManager,
  MemoryBlobStore,
  RAGKnowledgeBase,
  UnsupportedError,
  ValidationError,
} from "../../../src/index.ts";
import { expectRejects, type TestHarness } from "../../../src/testing/index.ts";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

async function setup(store: BlobStore, maxDeltas = 16) {
  const source = new InMemoryKnowledgeBackend();
  await source.createKb("docs");
  const rag = new RAGKnowledgeBase({ index: new BlobSearchIndex({ store, maxDeltas }) });
  const ingestion = new KnowledgeIngestionManager({ source, destination: rag });
  const generation = (await source.getInfo("docs"))?.generation as string;
  const prefix = `docs/.botknobs/${generation}/index/`;
  const head = async (): Promise<IndexHead> => {
    const body = await store.get(`${prefix}head.json`);
    return JSON.parse(new TextDecoder().decode(await readAll(body?.body as ReadableStream)));
  };
  /** A second process: a new index over the same store. */
  const reopen = (): RAGKnowledgeBase =>
    new RAGKnowledgeBase({ index: new BlobSearchIndex({ store }), knowledge: source });
  return { source, rag, ingestion, head, reopen };
}

/** Registers the cases with `h`. */
export function indexUnits(h: TestHarness, runtime: string): void {
  const { describe, it, expect } = h;

  describe(`BlobSearchIndex staging (${runtime})`, () => {
    it("a chunk that names another file than the one put is refused, and nothing is staged", async () => {
      const index = new BlobSearchIndex();
      const scope = { domainId: "d", generation: "g1" };
      const stage = await index.stage(scope);
      const chunk = (source: string, i: number) => ({
        chunkId: `d\u001fa.md\u001f${i}`,
        source,
        chunkIndex: i,
        text: `pelicans ${i}`,
        headingPath: "",
        headings: [],
        lineNumber: 1,
        metadata: {},
      });
      const put = stage.put("a.md", { checksum: "c".repeat(64), fingerprint: "f" }, [
        chunk("a.md", 0),
        chunk("b.md", 1),
      ]);
      await expectRejects(h, put, ValidationError, "chunk 1 names source 'b.md'");
      await stage.commit();
      expect(await index.query([scope], { text: "pelicans", k: 5 })).toEqual([]);
    });
  });

  describe(`BlobSearchIndex persistence (${runtime})`, () => {
    it("a one-file change writes one small delta; compaction folds deltas into one base", async () => {
      const store = new MemoryBlobStore();
      const { source, ingestion, head, reopen } = await setup(store, 3);
      for (let i = 0; i < 60; i++)
        await source.putFile(
          "docs",
          `f${i}.md`,
          `# File ${i}\n\n${"Words about topic ".repeat(40)}${i}.`,
        );
      await ingestion.ingest("docs");
      const first = await head();
      expect(first.segments.map((s) => s.kind)).toEqual(["base"]);
      const base = first.segments[0]?.bytes as number;
      await source.putFile("docs", "f7.md", "# File 7\n\nChanged: pelicans.");
      await ingestion.ingest("docs");
      const second = await head();
      expect(second.segments.map((s) => s.kind)).toEqual(["base", "delta"]);
      expect((second.segments[1]?.bytes as number) * 10).toBeLessThan(base);
      // Deltas pile up to the limit, then one base holds everything again.
      for (const n of [8, 9]) {
        await source.putFile("docs", `f${n}.md`, `# File ${n}\n\nChanged: puffin ${n}.`);
        await ingestion.ingest("docs");
      }
      const third = await head();
      expect(third.segments.map((s) => s.kind)).toEqual(["base"]);
      const keys = (await store.list({ prefix: "docs/.botknobs/" })).objects.map((o) => o.key);
      expect(keys.filter((k) => k.endsWith(".seg"))).toEqual([third.segments[0]?.key]);
      const hits = await reopen().query("pelicans puffin", { k: 5 });
      expect(hits.map((r) => r.source).sort()).toEqual(["f7.md", "f8.md", "f9.md"]);
    });

    it("a damaged segment is an error naming the knowledge base and the rebuild; force rebuilds", async () => {
      const store = new MemoryBlobStore();
      const { source, ingestion, head, reopen } = await setup(store);
      await source.putFile("docs", "a.md", "# A\n\nAlbatross glide.");
      await ingestion.ingest("docs");
      const ref = (await head()).segments[0];
      const body = await store.get(ref?.key as string);
      const bytes = await readAll(body?.body as ReadableStream);
      bytes[bytes.length - 5] = (bytes[bytes.length - 5] as number) ^ 0xff;
      await store.put(ref?.key as string, bytes);
      const error = await expectRejects(
        h,
        reopen().query("albatross"),
        AdapterError,
        "'docs' is damaged",
      );
      expect((error as Error).message).toContain('ingest("docs", { force: true })');
      // Cut short, too.
      await store.put(ref?.key as string, bytes.subarray(0, 20));
      await expectRejects(h, reopen().query("albatross"), AdapterError, "checksum");
      const fresh = reopen();
      const rebuilt = await new KnowledgeIngestionManager({ source, destination: fresh }).ingest(
        "docs",
        { force: true },
      );
      expect(rebuilt.filesProcessed).toBe(1);
      expect((await reopen().query("albatross"))[0]?.source).toBe("a.md");
    });

    it("an index written by a newer format is refused with a clear error", async () => {
      const store = new MemoryBlobStore();
      const { source, ingestion, head, reopen } = await setup(store);
      await source.putFile("docs", "a.md", "# A\n\nAlbatross glide.");
      await ingestion.ingest("docs");
      const generation = (await source.getInfo("docs"))?.generation;
      const newer = { ...(await head()), format_version: 99 };
      await store.put(`docs/.botknobs/${generation}/index/head.json`, text(JSON.stringify(newer)));
      await expectRejects(h, reopen().query("albatross"), UnsupportedError, "newer botknobs");
    });

    it("a missing segment is reported as damage, not as an empty result", async () => {
      const store = new MemoryBlobStore();
      const { source, ingestion, head, reopen } = await setup(store);
      await source.putFile("docs", "a.md", "# A\n\nAlbatross glide.");
      await ingestion.ingest("docs");
      await store.delete((await head()).segments[0]?.key as string);
      await expectRejects(h, reopen().query("albatross"), AdapterError, "missing");
    });
  });
}
