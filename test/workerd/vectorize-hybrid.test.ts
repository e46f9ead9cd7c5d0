// BlobSearchIndex with its chunk vectors in Vectorize (VectorizeVectorStore over the faithful
// fake, test/fixtures/fake-vectorize.ts), inside workerd: hybrid search answers exactly as with
// the index's own vectors — the same chunks in the same order — after ingesting, replacing and
// removing files, and from a reopened index; each commit waits for its vectors to show.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VectorizeVectorStore } from "../../src/adapters/vectorize/index.ts";
import { UnsupportedError } from "../../src/core/errors.ts";
import {
  BlobSearchIndex,
  EchoEmbeddingProvider,
  InMemoryKnowledgeBackend,
  KnowledgeIngestionManager,
  MemoryBlobStore,
  RAGKnowledgeBase,
} from "../../src/index.ts";
import { expectRejects, searchIndexSuite } from "../../src/testing/index.ts";
import { FakeVectorize } from "../fixtures/fake-vectorize.ts";

const h = { describe, it, expect, beforeEach, afterEach };
const DIMS = 32;
const SCOPE_FIELD = "_botknobs_scope";

/** A Vectorize fake whose every mutation shows only after the whole `lagMs`. */
const fakeIndex = (lagMs: number, dimensions = DIMS): FakeVectorize =>
  new FakeVectorize({
    dimensions,
    metadataIndexes: [SCOPE_FIELD],
    lagMs,
    random: () => 0.9999,
  });
const vectorize = (index: FakeVectorize, lagMs: number): VectorizeVectorStore =>
  new VectorizeVectorStore({ index, visibilityLagMs: lagMs, settlePollMs: 5 });

// The search-index suite over Vectorize: persistent, as a new index over the same blob store and
// the same Vectorize index answers what the first committed.
const backing = new WeakMap<object, { store: MemoryBlobStore; fake: FakeVectorize }>();
searchIndexSuite(h, {
  name: "BlobSearchIndex with its vectors in VectorizeVectorStore over a fake Vectorize (20 ms lag)",
  create: () => {
    const store = new MemoryBlobStore();
    const fake = fakeIndex(20, 8); // the suite's vectors have 8 dimensions
    const index = new BlobSearchIndex({ store, vectors: vectorize(fake, 20) });
    backing.set(index, { store, fake });
    return index;
  },
  reopen: (index) => {
    const { store, fake } = backing.get(index) as { store: MemoryBlobStore; fake: FakeVectorize };
    return new BlobSearchIndex({ store, vectors: vectorize(fake, 20) });
  },
  capabilities: { persistent: true, revisions: true },
});

const WORDS = [
  "lemur",
  "lynx",
  "otter",
  "heron",
  "forest",
  "river",
  "island",
  "winter",
  "fruit",
  "fish",
  "night",
  "burrow",
  "nest",
  "pack",
  "coast",
  "mountain",
  "seed",
  "insect",
  "hunt",
  "sleep",
];
/** A deterministic markdown file: three sections of words picked by a small LCG. */
function file(n: number): string {
  let x = n * 7919 + 17;
  const word = (): string => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return WORDS[x % WORDS.length] as string;
  };
  const sections = [0, 1, 2].map((s) => {
    const sentences = Array.from({ length: 4 }, () => Array.from({ length: 9 }, word).join(" "));
    return `## Part ${s} ${word()}\n\n${sentences.join(". ")}.`;
  });
  return `# Note ${n} about the ${word()}\n\n${sections.join("\n\n")}\n`;
}
const QUERIES = [
  "lemur island fruit",
  "otter river fish",
  "heron nest coast",
  "lynx winter hunt",
  "burrow night sleep",
  "mountain seed insect",
  "pack forest",
  "note about the lemur",
];

/** Each query's hits as `path#chunk`, with whether the vector side answered for it. */
async function rankings(kb: RAGKnowledgeBase): Promise<string[][]> {
  const out: string[][] = [];
  for (const q of QUERIES) {
    const hits = await kb.query(q, { k: 10 });
    out.push(
      hits.map((r) => {
        const scores = r.metadata.scores as { vector: number | null };
        return `${r.source}#${r.metadata.chunk_index}${scores.vector === null ? "" : "+v"}`;
      }),
    );
  }
  return out;
}

describe("BlobSearchIndex over VectorizeVectorStore - the same hybrid ranking as its own vectors", () => {
  const LAG = 50;
  const setup = async () => {
    const source = new InMemoryKnowledgeBackend();
    await source.createKb("support");
    for (let n = 0; n < 24; n++) await source.putFile("support", `notes/${n}.md`, file(n));
    const fake = fakeIndex(LAG);
    const blobs = { own: new MemoryBlobStore(), vectorize: new MemoryBlobStore() };
    const kb = (index: BlobSearchIndex): RAGKnowledgeBase =>
      new RAGKnowledgeBase({
        embeddingProvider: new EchoEmbeddingProvider({ dimensions: DIMS }),
        index,
        knowledge: source,
      });
    const own = kb(new BlobSearchIndex({ store: blobs.own }));
    // Two revisions kept and a base after every delta: the first revision is cut by the third
    // ingestion, and the vectors only it held go then.
    const external = kb(
      new BlobSearchIndex({
        store: blobs.vectorize,
        vectors: vectorize(fake, LAG),
        keepRevisions: 2,
        maxDeltas: 1,
      }),
    );
    const ingest = async (): Promise<void> => {
      for (const destination of [own, external]) {
        const result = await new KnowledgeIngestionManager({ source, destination }).ingest(
          "support",
        );
        expect(result.success).toBe(true);
      }
    };
    /** How many vectors Vectorize holds once every mutation is applied. */
    const stored = async (): Promise<number> => {
      await new Promise((r) => setTimeout(r, LAG + 5));
      return (await fake.describe()).vectorCount;
    };
    const chunks = async (): Promise<number> =>
      [...(await own.sources("support")).values()].reduce((n, s) => n + s.chunks, 0);
    return { source, fake, blobs, kb, own, external, ingest, stored, chunks };
  };

  it("ingest, replace, remove, reopen: the same chunks in the same order, vectors and all", async () => {
    const { source, fake, blobs, kb, own, external, ingest, stored, chunks } = await setup();
    await ingest();
    // Right after the commit (each mutation shows 50 ms late): the commit waited for them.
    const first = await rankings(own);
    expect(await rankings(external)).toEqual(first);
    expect(first.flat().filter((id) => id.endsWith("+v")).length).toBeGreaterThan(40);
    expect(first.flat().some((id) => !id.endsWith("+v"))).toBe(true); // BM25-only hits fused in
    expect(await stored()).toBe(await chunks());

    // One Vectorize query per search: twice the pool of 50, Vectorize's topK of 100.
    const queries = fake.calls.filter((c) => c.method === "query");
    expect(queries.map((c) => c.size)).toEqual(QUERIES.map(() => 100));

    // One file replaced, one removed: their old vectors stay while the revision before, which
    // holds them, is kept.
    const chunksOf = async (...paths: string[]): Promise<number> => {
      const indexed = await own.sources("support");
      return paths.reduce((n, p) => n + (indexed.get(p)?.chunks ?? 0), 0);
    };
    const replaced = await chunksOf("notes/3.md", "notes/5.md");
    await source.putFile("support", "notes/3.md", file(103));
    await source.deleteFile("support", "notes/5.md");
    await ingest();
    const second = await rankings(own);
    expect(second).not.toEqual(first);
    expect(await rankings(external)).toEqual(second);
    expect(await stored()).toBe((await chunks()) + replaced);

    // Another change: the first revision is cut, and the vectors only it held are deleted (the
    // second revision holds the version of notes/7.md this one replaces).
    const seventh = await chunksOf("notes/7.md");
    await source.putFile("support", "notes/7.md", file(107));
    await ingest();
    expect(await rankings(external)).toEqual(await rankings(own));
    expect(await stored()).toBe((await chunks()) + seventh);

    // Another process: new indexes over the same blob stores and the same Vectorize index.
    const reopened = kb(
      new BlobSearchIndex({ store: blobs.vectorize, vectors: vectorize(fake, LAG) }),
    );
    expect(await rankings(reopened)).toEqual(await rankings(own));

    // Removing the knowledge base deletes its vectors, the kept revisions' too.
    await external.clear("support");
    expect(await stored()).toBe(0);
  });

  it("an index persisted with its own vectors is refused with Vectorize given, and the reverse", async () => {
    const { blobs, kb, ingest } = await setup();
    await ingest();
    const mixed = kb(
      new BlobSearchIndex({ store: blobs.own, vectors: vectorize(fakeIndex(0), 0) }),
    );
    await expectRejects(h, mixed.query("lemur", { k: 3 }), UnsupportedError, "in its segments");
    const reverse = kb(new BlobSearchIndex({ store: blobs.vectorize }));
    await expectRejects(h, reverse.query("lemur", { k: 3 }), UnsupportedError, "'vectorize'");
  });
});
