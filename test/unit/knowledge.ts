/**
 * `src/core/knowledge/` (ingestion.ts, with the search it feeds) — Ingestion and retrieval cases,
 * runnable on every runtime through the harness.
 */
import { gzipSync } from "fflate";
import {
  BlobSearchIndex,
  EchoEmbeddingProvider,
  type EmbeddingProvider,
  type EmbeddingProviderCapabilities,
  type Event,
  IngestionStatus,
  InMemoryEventBus,
  InMemoryKnowledgeBackend,
  KnowledgeIngestionManager,
  MemoryBlobStore,
  NotFoundError,
  RAGKnowledgeBase,
  ValidationError,
} from "../../src/index.ts";
import { deferred, expectRejects, type TestHarness } from "../../src/testing/index.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Counts the texts it embeds, and can hold embedding until released. */
class CountingEmbedder implements EmbeddingProvider {
  readonly name: string = "echo";
  readonly dimensions: number = 32;
  readonly capabilities: EmbeddingProviderCapabilities = {};
  readonly #echo = new EchoEmbeddingProvider({ dimensions: 32 });
  embedded: string[] = [];
  /** Texts matching `hold` wait for `gate`; `held` resolves when the first such call starts. */
  hold: ((text: string) => boolean) | undefined;
  gate: Promise<void> = Promise.resolve();
  readonly held = deferred();
  async embed(texts: string[]): Promise<Float32Array[]> {
    if (this.hold && texts.some(this.hold)) {
      this.held.resolve();
      await this.gate;
    }
    this.embedded.push(...texts);
    return this.#echo.embed(texts);
  }
}

async function setup(embedder: EmbeddingProvider | null = null) {
  const source = new InMemoryKnowledgeBackend();
  const bus = new InMemoryEventBus();
  const events: Event[] = [];
  await bus.subscribe("knowledge:ingestion", (e) => void events.push(e));
  const kb = embedder
    ? await RAGKnowledgeBase.fromConfig(
        { vector_store: { backend: "memory" } },
        { embeddingProvider: embedder },
      )
    : await RAGKnowledgeBase.fromConfig({});
  const ingestion = new KnowledgeIngestionManager({ source, destination: kb, eventBus: bus });
  await source.createKb("support");
  return { source, kb, ingestion, events };
}

/** Every text a query returns (hybrid search always returns something from the vector side). */
async function texts(kb: RAGKnowledgeBase, query: string): Promise<string> {
  return (await kb.query(query, { k: 50 })).map((r) => r.text).join("\n");
}

/** Registers the cases with `h`. */
export function knowledgeUnits(h: TestHarness, runtime: string): void {
  const { describe, it, expect } = h;

  describe(`ingestion and search (${runtime})`, () => {
    it("seed example - 1 file, 1 chunk, 'reset password' finds it; event at the end", async () => {
      const { source, kb, ingestion, events } = await setup(
        new EchoEmbeddingProvider({ dimensions: 384 }),
      );
      await source.putFile(
        "support",
        "faq.md",
        enc("# FAQ\n\n## How do I reset my password?\n\nGo to settings..."),
        { contentType: "text/markdown" },
      );
      const result = await ingestion.ingest("support");
      expect([result.filesProcessed, result.chunksCreated, result.success, result.status]).toEqual([
        1,
        1,
        true,
        "ready",
      ]);
      const hits = await kb.search("reset password", { k: 3 });
      expect(hits).toHaveLength(1);
      const hit = hits[0] as (typeof hits)[number];
      expect([hit.text, hit.content, hit.source, hit.headingPath]).toEqual([
        "Go to settings...",
        "Go to settings...",
        "faq.md",
        "FAQ > How do I reset my password?",
      ]);
      expect([hit.metadata.domain_id, hit.metadata.chunk_index, hit.metadata.heading_path]).toEqual(
        ["support", 0, "FAQ > How do I reset my password?"],
      );
      expect(events.map((e) => e.payload)).toEqual([
        {
          domain_id: "support",
          files_processed: 1,
          chunks_created: 1,
          files_unchanged: 0,
          files_deleted: 0,
          errors: 0,
          status: "ready",
        },
      ]);
      expect((await source.getInfo("support"))?.ingestionStatus).toBe("ready");
    });

    it("incremental - only changed files are re-chunked and re-embedded; deleted files lose their chunks", async () => {
      const embedder = new CountingEmbedder();
      const { source, kb, ingestion } = await setup(embedder);
      await source.putFile("support", "a.md", "# Alpha\n\nAardvarks are nocturnal.");
      await source.putFile("support", "b.md", "# Beta\n\nBadgers dig burrows.");
      await source.putFile("support", "c.md", "# Gamma\n\nCheetahs run fast.");
      await ingestion.ingest("support");
      expect(embedder.embedded).toHaveLength(3);
      embedder.embedded = [];
      await source.putFile("support", "b.md", "# Beta\n\nBeavers build dams.");
      await source.deleteFile("support", "c.md");
      const result = await ingestion.ingest("support");
      expect([
        result.filesProcessed,
        result.filesUnchanged,
        result.filesDeleted,
        result.chunksRemoved,
      ]).toEqual([1, 1, 1, 2]);
      expect(embedder.embedded).toEqual(["Beta\n\nBeavers build dams."]);
      const all = await texts(kb, "badgers beavers cheetahs aardvarks");
      expect(all).not.toContain("Badgers");
      expect(all).not.toContain("Cheetahs");
      expect(all).toContain("Beavers build dams.");
      expect(all).toContain("Aardvarks are nocturnal.");
      expect((await kb.search("beavers"))[0]?.source).toBe("b.md");
      const indexed = await kb.sources("support");
      expect([...indexed.values()].reduce((n, s) => n + s.chunks, 0)).toBe(2);
      const again = await ingestion.ingest("support");
      expect([again.filesProcessed, again.filesUnchanged, again.chunksCreated]).toEqual([0, 2, 0]);
    });

    it("clearExisting false - chunks of files gone from the source stay", async () => {
      const { source, kb, ingestion } = await setup();
      await source.putFile("support", "a.md", "# A\n\nAlpacas graze.");
      await ingestion.ingest("support");
      await source.deleteFile("support", "a.md");
      await ingestion.ingest("support", { clearExisting: false });
      expect((await kb.search("alpacas"))[0]?.source).toBe("a.md");
      await ingestion.ingest("support");
      expect(await kb.search("alpacas")).toEqual([]);
    });

    it("bad files - each is a clear error, the run goes on, nothing else is lost", async () => {
      const { source, kb, ingestion } = await setup();
      const zeros = gzipSync(new Uint8Array(80 * 1024 * 1024));
      const files: [string, Uint8Array | string][] = [
        ["good.md", "# Good\n\nGiraffes are tall."],
        ["bad-utf8.md", new Uint8Array([0x23, 0x20, 0xff, 0xfe, 0x41])],
        ["bad.json", '{"a": [1, 2,'],
        ["bad.yaml", "a: [unclosed\nb: {"],
        [
          "bomb.yaml",
          `a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from(
            { length: 12 },
            (_, i) =>
              `l${i + 1}: &l${i + 1} [${Array(9)
                .fill(i ? `*l${i}` : "*a")
                .join(",")}]`,
          ).join("\n")}\n`,
        ],
        ["ragged.csv", 'name,notes\nAda,"multi\nline"\nBob,x,extra\n'],
        [
          "truncated.md.gz",
          gzipSync(enc("# Truncated\n\nThis gzip is cut short.".repeat(50))).subarray(0, 40),
        ],
        ["bomb.md.gz", zeros],
        ["empty.md", ""],
        ["image.png", new Uint8Array([137, 80, 78, 71])],
        ["good.csv", 'name,notes\nAda,"multi\nline"\nBob,"has, comma"\n'],
      ];
      for (const [path, content] of files) await source.putFile("support", path, content);
      const result = await ingestion.ingest("support");
      const failed = result.errors.map((e) => e.file).sort();
      expect(failed).toEqual([
        "bad-utf8.md",
        "bad.json",
        "bad.yaml",
        "bomb.md.gz",
        "bomb.yaml",
        "ragged.csv",
        "truncated.md.gz",
      ]);
      for (const e of result.errors) expect(e.error).toContain(e.file);
      expect(result.filesProcessed).toBe(2);
      expect(result.filesSkipped).toBe(2);
      expect(result.status).toBe("error");
      const info = await source.getInfo("support");
      expect(info?.ingestionStatus).toBe(IngestionStatus.ERROR);
      expect(JSON.parse(info?.ingestionError ?? "[]")).toHaveLength(7);
      expect((await kb.search("giraffes"))[0]?.source).toBe("good.md");
      expect((await kb.search("comma"))[0]?.source).toBe("good.csv");
    });

    it("bad files - a file that turns bad keeps its last good chunks", async () => {
      const { source, kb, ingestion } = await setup();
      await source.putFile(
        "support",
        "data.json",
        '{"name": "Zebra facts", "stripes": "black and white"}',
      );
      await ingestion.ingest("support");
      await source.putFile("support", "data.json", '{"name": ');
      const result = await ingestion.ingest("support");
      expect(result.errors).toHaveLength(1);
      expect((await kb.search("zebra stripes"))[0]?.source).toBe("data.json");
    });

    it("atomic - a query during ingestion sees the old domain, then the new one, never a mix", async () => {
      const embedder = new CountingEmbedder();
      const { source, kb, ingestion } = await setup(embedder);
      await source.putFile("support", "one.md", "# One\n\nOcelots old version.");
      await source.putFile("support", "two.md", "# Two\n\nOtters old version.");
      await ingestion.ingest("support");
      await source.putFile("support", "one.md", "# One\n\nOcelots new version.");
      await source.putFile("support", "two.md", "# Two\n\nOtters new version.");
      const gate = deferred();
      embedder.gate = gate.promise;
      embedder.hold = (text) => text.includes("Otters new");
      let progressed = 0;
      const running = ingestion.ingest("support", {
        concurrency: 1,
        onProgress: () => void progressed++,
      });
      // The first file is staged; the second is held in its embedding.
      await embedder.held.promise;
      expect(embedder.embedded).toContain("One\n\nOcelots new version.");
      const during = (await kb.query("version", { k: 10 })).map((r) => r.text).sort();
      expect(during).toEqual(["Ocelots old version.", "Otters old version."]);
      gate.resolve();
      await running;
      const after = (await kb.query("version", { k: 10 })).map((r) => r.text).sort();
      expect(after).toEqual(["Ocelots new version.", "Otters new version."]);
      expect(progressed).toBe(2);
    });

    it("abort - the run rejects, the knowledge base and the status stay as they were", async () => {
      const { source, kb, ingestion } = await setup();
      await source.putFile("support", "a.md", "# A\n\nAntelopes leap.");
      await ingestion.ingest("support");
      await source.putFile("support", "a.md", "# A\n\nArmadillos roll.");
      await source.putFile("support", "b.md", "# B\n\nBison roam.");
      const controller = new AbortController();
      const running = ingestion.ingest("support", {
        concurrency: 1,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      });
      let rejected = false;
      try {
        await running;
      } catch {
        rejected = true;
      }
      expect(rejected).toBe(true);
      expect((await kb.search("antelopes"))[0]?.source).toBe("a.md");
      expect(await kb.search("armadillos")).toEqual([]);
      expect(await kb.search("bison")).toEqual([]);
      expect((await source.getInfo("support"))?.ingestionStatus).toBe("ready");
    });

    it("deleted while ingesting - the run fails and its chunks never come back", async () => {
      const embedder = new CountingEmbedder();
      const { source, kb, ingestion } = await setup(embedder);
      await source.putFile("support", "a.md", "# A\n\nNarwhals have tusks.");
      await source.putFile("support", "b.md", "# B\n\nNewts are amphibians.");
      const gate = deferred();
      embedder.gate = gate.promise;
      embedder.hold = (t) => t.includes("Newts");
      const running = ingestion.ingest("support", { concurrency: 1 });
      await embedder.held.promise;
      expect(await source.deleteKb("support")).toBe(true);
      await source.createKb("support");
      gate.resolve();
      await expectRejects(h, running, NotFoundError);
      expect(await kb.search("narwhals newts")).toEqual([]);
      expect(await kb.isIndexed("support")).toBe(false);
      // The new knowledge base ingests only its own files.
      await source.putFile("support", "c.md", "# C\n\nNightingales sing.");
      await ingestion.ingest("support");
      expect((await kb.search("narwhals newts nightingales")).map((r) => r.source)).toEqual([
        "c.md",
      ]);
    });

    it("progress - one call per file with done and total", async () => {
      const { source, ingestion } = await setup();
      for (const p of ["a.md", "b.md", "c.txt"])
        await source.putFile("support", p, `# ${p}\n\nText of ${p}.`);
      const seen: string[] = [];
      await ingestion.ingest("support", {
        onProgress: (p) => void seen.push(`${p.done}/${p.total}:${p.outcome}`),
      });
      expect(seen.sort()).toEqual(["1/3:processed", "2/3:processed", "3/3:processed"]);
    });

    it("chunk ids - same file name in two folders never collide", async () => {
      const { source, kb, ingestion } = await setup();
      await source.putFile("support", "a/intro.md", "# Intro\n\nApples from folder a.");
      await source.putFile("support", "b/intro.md", "# Intro\n\nBananas from folder b.");
      await source.putFile(
        "support",
        "intro.json",
        '{"title": "Intro", "fruit": "Cherries from json"}',
      );
      await ingestion.ingest("support");
      expect((await kb.search("apples"))[0]?.source).toBe("a/intro.md");
      expect((await kb.search("bananas"))[0]?.source).toBe("b/intro.md");
      expect((await kb.search("cherries"))[0]?.source).toBe("intro.json");
      const ids = (await kb.query("intro", { k: 10 })).map((r) => r.metadata.chunk_id);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it("domains - clearExisting and filters touch one domain only", async () => {
      const { source, kb, ingestion } = await setup();
      await source.createKb("sales");
      await source.putFile("support", "x.md", "# X\n\nShared word pelican in support.");
      await source.putFile("sales", "y.md", "# Y\n\nShared word pelican in sales.");
      await ingestion.ingest("support");
      await ingestion.ingest("sales");
      expect((await kb.query("pelican", { k: 10 })).length).toBe(2);
      const onlySales = await kb.query("pelican", { k: 10, filter: { domain_id: "sales" } });
      expect(onlySales.map((r) => r.source)).toEqual(["y.md"]);
      await source.deleteFile("support", "x.md");
      await ingestion.ingest("support");
      expect((await kb.query("pelican", { k: 10 })).map((r) => r.metadata.domain_id)).toEqual([
        "sales",
      ]);
    });

    it("minSimilarity and k - results respect both; file metadata is carried", async () => {
      const { source, kb, ingestion } = await setup();
      await source.putFile("support", "a.md", "# A\n\nPenguins penguins penguins swim.", {
        metadata: { team: "birds" },
      });
      await source.putFile(
        "support",
        "b.md",
        "# B\n\nOne penguin and many other animals walk here today.",
      );
      await ingestion.ingest("support");
      const all = await kb.query("penguins swim", { k: 10 });
      expect(all[0]?.similarity).toBe(1);
      expect(all[0]?.metadata.team).toBe("birds");
      for (const r of await kb.query("penguins swim", { k: 10, minSimilarity: 0.99 }))
        expect(r.similarity).toBeGreaterThanOrEqual(0.99);
      expect(await kb.query("penguins", { k: 1 })).toHaveLength(1);
      await expectRejects(h, kb.query("x", { k: 0 }), ValidationError);
    });

    it("hybrid - the vector side finds the exact chunk text; results carry both scores", async () => {
      const { source, kb, ingestion } = await setup(new EchoEmbeddingProvider({ dimensions: 32 }));
      await source.putFile(
        "support",
        "a.md",
        "Quokkas smile.\n\nThis second paragraph is about koalas.",
      );
      await ingestion.ingest("support");
      const [top] = await kb.query("Quokkas smile.\n\nThis second paragraph is about koalas.", {
        k: 1,
      });
      expect(top?.source).toBe("a.md");
      const scores = top?.metadata.scores as { vector: number; lexical: number };
      expect(scores.vector).toBeGreaterThan(0.999);
      expect(scores.lexical).toBeGreaterThan(0);
    });

    it("persisted - a new index over the same store answers the same, without re-ingesting", async () => {
      const store = new MemoryBlobStore();
      const source = new InMemoryKnowledgeBackend();
      await source.createKb("support");
      const echo = (): EchoEmbeddingProvider => new EchoEmbeddingProvider({ dimensions: 32 });
      const kb = new RAGKnowledgeBase({
        embeddingProvider: echo(),
        index: new BlobSearchIndex({ store }),
      });
      const ingestion = new KnowledgeIngestionManager({ source, destination: kb });
      await source.putFile(
        "support",
        "a.md",
        "# Lemurs\n\nLemurs live in Madagascar.\n\n## Diet\n\nFruit and leaves.",
      );
      await source.putFile("support", "b.md", "# Lynx\n\nLynx live in forests.");
      await ingestion.ingest("support");
      // Another process: a new index over the same store, the same knowledge backend.
      const copy = new RAGKnowledgeBase({
        embeddingProvider: echo(),
        index: new BlobSearchIndex({ store }),
        knowledge: source,
      });
      for (const q of ["lemurs madagascar", "forests", "fruit"])
        expect(await copy.query(q, { k: 3 })).toEqual(await kb.query(q, { k: 3 }));
      expect((await copy.sources("support")).get("a.md")?.checksum).toBe(
        (await kb.sources("support")).get("a.md")?.checksum,
      );
      // A loaded index keeps ingesting incrementally.
      const again = new KnowledgeIngestionManager({ source, destination: copy });
      expect((await again.ingest("support")).filesUnchanged).toBe(2);
      // Without the embedding provider it was built with, the vectors are not compared.
      const lexical = new RAGKnowledgeBase({
        index: new BlobSearchIndex({ store }),
        knowledge: source,
      });
      const [hit] = await lexical.query("lynx forests", { k: 1 });
      expect(hit?.source).toBe("b.md");
      expect((hit?.metadata.scores as { vector: number | null } | undefined)?.vector).toBeNull();
    });

    it("ingestIfChanged - null when nothing changed, by version or checksum", async () => {
      const { source, ingestion } = await setup();
      await source.putFile("support", "a.md", "# A\n\nText.");
      const first = await ingestion.ingest("support");
      const version = (await source.getInfo("support"))?.version as string;
      expect(await ingestion.ingestIfChanged("support", { lastVersion: version })).toBeNull();
      expect(
        await ingestion.ingestIfChanged("support", { lastVersion: first.sourceChecksum }),
      ).toBeNull();
      await source.putFile("support", "a.md", "# A\n\nNew text.");
      expect(
        (await ingestion.ingestIfChanged("support", { lastVersion: version }))?.filesProcessed,
      ).toBe(1);
      await expectRejects(h, ingestion.ingest("ghost"), Error, "does not exist");
    });

    it("empty knowledge base - ingests to nothing, ready", async () => {
      const { source, kb, ingestion } = await setup();
      const result = await ingestion.ingest("support");
      expect([result.filesProcessed, result.chunksCreated, result.status]).toEqual([0, 0, "ready"]);
      expect(await kb.search("anything")).toEqual([]);
      expect((await source.getInfo("support"))?.ingestionStatus).toBe("ready");
    });

    it("fromConfig - lexical only by default; unknown keys and providers refused", async () => {
      const lexical = await RAGKnowledgeBase.fromConfig({});
      expect(lexical.embeddingProvider).toBeNull();
      const chunked = await RAGKnowledgeBase.fromConfig({
        chunking: { max_chunk_size: 200, chunk_overlap: 20 },
      });
      expect(chunked.chunking.maxChunkSize).toBe(200);
      await expectRejects(
        h,
        RAGKnowledgeBase.fromConfig({
          vector_store: { backend: "memory" },
          embeding_provider: "echo",
        }),
        ValidationError,
        "embeding_provider",
      );
      await expectRejects(
        h,
        RAGKnowledgeBase.fromConfig({ embedding_provider: "magic" }),
        ValidationError,
        "magic",
      );
      const echo = await RAGKnowledgeBase.fromConfig({
        vector_store: { backend: "memory", dimensions: 384 },
        embedding_provider: "echo",
      });
      expect(echo.embeddingProvider?.dimensions).toBe(384);
    });
  });
}
