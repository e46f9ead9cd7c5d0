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
  MemoryVectorStore,
  RAGKnowledgeBase,
  RevisionGoneError,
  UnsupportedError,
  ValidationError,
} from "../../../src/index.ts";
import { expectRejects, type TestHarness, thrown } from "../../../src/testing/index.ts";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

async function setup(store: BlobStore, maxDeltas = 16, keepRevisions = 10) {
  const source = new InMemoryKnowledgeBackend();
  await source.createKb("docs");
  const rag = new RAGKnowledgeBase({
    index: new BlobSearchIndex({ store, maxDeltas, keepRevisions }),
  });
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
    it("a one-file change writes one small delta; compaction folds deltas into one base (keepRevisions 1)", async () => {
      const store = new MemoryBlobStore();
      const { source, ingestion, head, reopen } = await setup(store, 3, 1);
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

  describe(`BlobSearchIndex revisions (${runtime})`, () => {
    const changeAndIngest = async (
      ctx: Awaited<ReturnType<typeof setup>>,
      path: string,
      word: string,
    ): Promise<string> => {
      await ctx.source.putFile("docs", path, `# ${path}\n\nChanged: ${word}.`);
      return (await ctx.ingestion.ingest("docs")).revision as string;
    };
    const sources = async (rag: RAGKnowledgeBase, q: string, revision?: string) =>
      (
        await rag.query(q, {
          k: 5,
          filter: { domain_id: "docs" },
          ...(revision === undefined ? {} : { revision }),
        })
      ).map((r) => r.source);

    it("compaction adds a base to the chain; revisions stay searchable until keepRevisions cuts the chain, and their segments go then", async () => {
      const store = new MemoryBlobStore();
      const ctx = await setup(store, 3, 3);
      const { source, ingestion, head, rag } = ctx;
      for (let i = 0; i < 20; i++)
        await source.putFile(
          "docs",
          `f${i}.md`,
          `# File ${i}\n\n${"Words about topic ".repeat(40)}${i}.`,
        );
      const r1 = (await ingestion.ingest("docs")).revision as string;
      expect((await head()).segments.map((s) => [s.kind, s.commit_id])).toEqual([["base", r1]]);
      const r2 = await changeAndIngest(ctx, "f1.md", "pelican");
      const r3 = await changeAndIngest(ctx, "f2.md", "puffin");
      const r4 = await changeAndIngest(ctx, "f3.md", "petrel");
      // Three deltas: a base of r4 is added, and nothing is cut yet (r2 needs the first base).
      expect((await head()).segments.map((s) => [s.kind, s.commit_id])).toEqual([
        ["base", r1],
        ["delta", r2],
        ["delta", r3],
        ["delta", r4],
        ["base", r4],
      ]);
      expect((await rag.revisions("docs")).map((r) => r.revision)).toEqual([r4, r3, r2, r1]);
      expect(await sources(rag, "pelican puffin petrel", r1)).toEqual([]);
      expect((await sources(rag, "pelican puffin petrel", r3)).sort()).toEqual(["f1.md", "f2.md"]);
      expect((await sources(rag, "pelican puffin petrel")).sort()).toEqual([
        "f1.md",
        "f2.md",
        "f3.md",
      ]);
      const r5 = await changeAndIngest(ctx, "f4.md", "gannet");
      expect(await rag.revisionState("docs", r1)).toBe("kept");
      const r6 = await changeAndIngest(ctx, "f5.md", "skua");
      // r6, r5 and r4 are the three kept: the chain starts at r4's base now.
      const last = await head();
      expect(last.segments.map((s) => [s.kind, s.commit_id])).toEqual([
        ["base", r4],
        ["delta", r5],
        ["delta", r6],
      ]);
      expect(last.pruned).toEqual([r1, r2, r3]);
      expect((await rag.revisions("docs")).map((r) => [r.revision, r.current])).toEqual([
        [r6, true],
        [r5, false],
        [r4, false],
      ]);
      for (const gone of [r1, r2, r3]) {
        expect(await rag.revisionState("docs", gone)).toBe("pruned");
        const error = await expectRejects(
          h,
          sources(rag, "pelican", gone),
          RevisionGoneError,
          gone,
        );
        expect((error as RevisionGoneError).revision).toBe(gone);
      }
      expect(await rag.revisionState("docs", "never-was")).toBe("unknown");
      await expectRejects(h, sources(rag, "pelican", "never-was"), ValidationError, "never-was");
      // The cut segments are gone from the store; what the head lists is all that is left.
      const keys = (await store.list({ prefix: "docs/.botknobs/" })).objects.map((o) => o.key);
      expect(keys.filter((k) => k.endsWith(".seg")).sort()).toEqual(
        last.segments.map((s) => s.key).sort(),
      );
      // Another process answers as of a kept revision from the storage alone.
      const other = ctx.reopen();
      expect((await sources(other, "pelican puffin petrel gannet skua", r4)).sort()).toEqual([
        "f1.md",
        "f2.md",
        "f3.md",
      ]);
      expect((await sources(other, "gannet skua", r5)).sort()).toEqual(["f4.md"]);
    });

    it("a rebuild (force) keeps the chain under its new base: the revisions before it stay", async () => {
      const store = new MemoryBlobStore();
      const ctx = await setup(store);
      await ctx.source.putFile("docs", "a.md", "# A\n\nAlbatross glide.");
      const r1 = (await ctx.ingestion.ingest("docs")).revision as string;
      await ctx.source.putFile("docs", "a.md", "# A\n\nAuks dive.");
      const r2 = (await ctx.ingestion.ingest("docs", { force: true })).revision as string;
      expect((await ctx.head()).segments.map((s) => [s.kind, s.commit_id])).toEqual([
        ["base", r1],
        ["base", r2],
      ]);
      expect(await sources(ctx.rag, "albatross", r1)).toEqual(["a.md"]);
      expect(await sources(ctx.rag, "albatross")).toEqual([]);
    });

    it("vectors kept in a store stay while a revision that holds them is kept, and go when it is cut", async () => {
      const vectors = new MemoryVectorStore();
      const index = new BlobSearchIndex({
        store: new MemoryBlobStore(),
        vectors,
        keepRevisions: 2,
      });
      const scope = { domainId: "d", generation: "g1" };
      const put = async (text: string): Promise<string> => {
        const stage = await index.stage(scope, { embedding: "e" });
        const chunk = {
          chunkId: "d\u001fa.md\u001f0",
          source: "a.md",
          chunkIndex: 0,
          text,
          headingPath: "",
          headings: [],
          lineNumber: 1,
          metadata: {},
        };
        const v = new Float32Array(4);
        v[text.length % 4] = 1;
        await stage.put("a.md", { checksum: text, fingerprint: "f" }, [chunk], [v]);
        return (await stage.commit()).version;
      };
      await put("one");
      expect(vectors.size).toBe(1);
      const second = await put("two!");
      // The first version's vector stays: the first revision still holds it.
      expect(vectors.size).toBe(2);
      await put("three");
      // Two kept (the third and the second): the first version's vector went with its revision.
      expect(vectors.size).toBe(2);
      const v = new Float32Array(4);
      v[0] = 1; // "two!".length % 4
      const hits = await index.query([{ ...scope, revision: second }], {
        vector: v,
        embedding: "e",
        k: 1,
      });
      expect(hits.map((x) => x.chunk.text)).toEqual(["two!"]);
      await index.remove(scope);
      expect(vectors.size).toBe(0);
    });

    it("in memory only the current revision is kept; keepRevisions is checked", async () => {
      const index = new BlobSearchIndex();
      expect(index.capabilities.revisions).toBe(false);
      const scope = { domainId: "d", generation: "g1" };
      const first = await (await index.stage(scope)).commit();
      const second = await (await index.stage(scope)).commit();
      expect(await index.revisions(scope)).toEqual([
        { revision: second.version, committedAt: null, current: true },
      ]);
      expect(
        await index.query([{ ...scope, revision: second.version }], { text: "x", k: 1 }),
      ).toEqual([]);
      expect(await index.revisionState(scope, first.version)).toBe("unknown");
      for (const keepRevisions of [0, 1.5, -1])
        expect(
          thrown(() => new BlobSearchIndex({ keepRevisions })) instanceof ValidationError,
        ).toBe(true);
      expect(
        new BlobSearchIndex({ store: new MemoryBlobStore(), keepRevisions: 1 }).capabilities
          .revisions,
      ).toBe(false);
    });
  });
}
