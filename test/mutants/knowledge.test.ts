// The knowledge-side suites catch broken adapters: every mutant (a blob store, a knowledge
// backend, a search index, a vector store, an embedding provider with one bug) fails named cases
// of its port's suite, while the real implementations pass them in full.
import { expect as jestExpect } from "expect";
import { describe, expect, it } from "vitest";
import {
  BlobKnowledgeBackend,
  BlobSearchIndex,
  type BlobStore,
  EchoEmbeddingProvider,
  type EmbeddingProvider,
  type EmbeddingProviderCapabilities,
  type KnowledgeResourceBackend,
  MemoryBlobStore,
  MemoryVectorStore,
  type SearchIndex,
  type VectorStore,
} from "../../src/index.ts";
import {
  blobStoreSuite,
  embeddingProviderSuite,
  knowledgeBackendSuite,
  searchIndexSuite,
  type TestHarness,
  type VectorStoreSuiteOptions,
  vectorStoreSuite,
  withLatency,
} from "../../src/testing/index.ts";
import { type CaseResult, caseIds, recordingHarness } from "./harness.ts";
import {
  BatchDependentEmbeddings,
  ChecksumSkipsLastByte,
  DropsAfterFirstBatch,
  IgnoresAbort,
  IgnoresIn,
  IgnoresSize,
  KeepsPartialUploads,
  LeaksScopes,
  LeaseNotExclusive,
  NonAtomicIfMatch,
  overNonAtomicStore,
  ReadsAnyVersion,
  RemoveKeeps,
  StacksOverNewerCommits,
  StagingVisible,
  VectorsIgnoreFilter,
  VectorsKeepDeleted,
  VectorsNotPersistent,
  VectorsOverMaxK,
  VectorsUnsorted,
} from "./knowledge-mutants.ts";

const harness = (): ReturnType<typeof recordingHarness> =>
  recordingHarness(jestExpect as unknown as TestHarness["expect"], { timeoutMs: 20_000 });

const run = {
  blob: async (create: () => BlobStore): Promise<CaseResult[]> => {
    const h = harness();
    blobStoreSuite(h, { name: "mutant", create });
    return h.run();
  },
  knowledge: async (
    create: (now: () => number) => KnowledgeResourceBackend,
    reopen?: (kb: KnowledgeResourceBackend) => KnowledgeResourceBackend,
  ): Promise<CaseResult[]> => {
    const h = harness();
    knowledgeBackendSuite(h, {
      name: "mutant",
      create: ({ now }) => create(now),
      ...(reopen ? { reopen } : {}),
    });
    return h.run();
  },
  index: async (create: () => SearchIndex): Promise<CaseResult[]> => {
    const h = harness();
    searchIndexSuite(h, { name: "mutant", create });
    return h.run();
  },
  vectors: async (
    create: () => VectorStore,
    more: Pick<VectorStoreSuiteOptions, "capabilities" | "reopen"> = {},
  ): Promise<CaseResult[]> => {
    const h = harness();
    vectorStoreSuite(h, { name: "mutant", create, ...more });
    return h.run();
  },
  embeddings: async (
    create: () => EmbeddingProvider,
    capabilities?: EmbeddingProviderCapabilities,
  ): Promise<CaseResult[]> => {
    const h = harness();
    embeddingProviderSuite(h, {
      name: "mutant",
      create,
      ...(capabilities ? { capabilities } : {}),
    });
    return h.run();
  },
};

const failing = (results: CaseResult[]): [string, string][] =>
  results.filter((r) => r.status !== "passed").map((r) => [r.name, String(r.error)]);

describe("knowledge-side suites pass the real implementations in full", () => {
  it("MemoryBlobStore, BlobKnowledgeBackend (over latency), BlobSearchIndex, MemoryVectorStore, echo embeddings", async () => {
    const shared = new WeakMap<object, BlobStore>();
    const blobs = await run.blob(() => new MemoryBlobStore());
    expect(caseIds(blobs, "failed")).toEqual([]);
    // Memory keys have no length limit, and no second instance shares a memory store's objects:
    // the name-limit and second-instance cases skip, visibly.
    expect(caseIds(blobs, "skipped")).toEqual(["names.max", "reopen.sees-writes"]);
    expect(
      failing(
        await run.knowledge(
          (now) => {
            const store = withLatency(new MemoryBlobStore(), 4);
            const kb = new BlobKnowledgeBackend({ store, now });
            shared.set(kb, store);
            return kb;
          },
          (kb) => new BlobKnowledgeBackend({ store: shared.get(kb) as BlobStore }),
        ),
      ),
    ).toEqual([]);
    const index = await run.index(() => new BlobSearchIndex());
    // The persistence cases need a reopen, past revisions and the sweep a store (to keep them in,
    // to leave a dead commit in): the in-memory index skips them, visibly.
    expect(caseIds(index, "failed")).toEqual([]);
    expect(caseIds(index, "skipped")).toEqual([
      "stage.exclusive-two-places",
      "persistent",
      "persistent.refresh",
      "persistent.refresh-same-instant",
      "persistent.concurrent-first-commits",
      "persistent.remove-only",
      "persistent.concurrent-commits",
      "persistent.remove-unloaded",
      "revisions.as-of",
      "revisions.unknown",
      "revisions.reopen",
      "sweep.age",
    ]);
    // Memory has no k limit and does not persist; echo makes no requests: those cases skip, visibly.
    const vectors = await run.vectors(() => new MemoryVectorStore());
    expect(caseIds(vectors, "failed")).toEqual([]);
    expect(caseIds(vectors, "skipped")).toEqual(["query.max-k", "persistent"]);
    const echo = await run.embeddings(() => new EchoEmbeddingProvider({ dimensions: 32 }));
    expect(caseIds(echo, "failed")).toEqual([]);
    expect(caseIds(echo, "skipped")).toEqual(["embed.max-batch"]);
  }, 120_000);
});

const MUTANTS: { name: string; results: () => Promise<CaseResult[]>; caughtBy: string[] }[] = [
  {
    name: "blob store: compare-and-set not atomic",
    results: () => run.blob(() => new NonAtomicIfMatch()),
    caughtBy: ["put.if-match.race"],
  },
  {
    name: "blob store: declared size ignored",
    results: () => run.blob(() => new IgnoresSize()),
    caughtBy: ["put.size"],
  },
  {
    name: "blob store: a broken upload keeps its part",
    results: () => run.blob(() => new KeepsPartialUploads()),
    caughtBy: ["put.failed-stream"],
  },
  {
    name: "knowledge backend: checksum leaves out the last byte",
    results: () => run.knowledge((now) => new ChecksumSkipsLastByte(now)),
    caughtBy: ["putFile.getFile", "putFile.stream"],
  },
  {
    name: "knowledge backend over a store whose compare-and-set is not atomic",
    results: () => {
      // Writers in one process queue per knowledge base: the race shows with two instances.
      const stores = new WeakMap<object, BlobStore>();
      return run.knowledge(
        (now) => {
          const { backend, store } = overNonAtomicStore(now);
          stores.set(backend, store);
          return backend;
        },
        (kb) => new BlobKnowledgeBackend({ store: stores.get(kb) as BlobStore }),
      );
    },
    caughtBy: ["concurrency.two-writers"],
  },
  {
    name: "knowledge backend: ingestion lease not exclusive (the owner ignored)",
    results: () => {
      const stores = new WeakMap<object, BlobStore>();
      return run.knowledge(
        (now) => {
          const store = new MemoryBlobStore();
          const backend = new LeaseNotExclusive(store, now);
          stores.set(backend, store);
          return backend;
        },
        (kb) => new LeaseNotExclusive(stores.get(kb) as BlobStore),
      );
    },
    caughtBy: ["ingestion.lease-exclusive", "ingestion.lease-two-places"],
  },
  {
    name: "knowledge backend: a read for one version hands out another",
    results: () => run.knowledge((now) => new ReadsAnyVersion(now)),
    caughtBy: ["getFile.checksum"],
  },
  {
    name: "search index: a stale exclusive commit stacked over the newer one",
    results: () => run.index(() => new StacksOverNewerCommits()),
    caughtBy: ["stage.exclusive"],
  },
  {
    name: "search index: staged files visible before commit",
    results: () => run.index(() => new StagingVisible()),
    caughtBy: ["stage.invisible"],
  },
  {
    name: "search index: $in ignored",
    results: () => run.index(() => new IgnoresIn()),
    caughtBy: ["query.filter-in"],
  },
  {
    name: "search index: remove keeps everything",
    results: () => run.index(() => new RemoveKeeps()),
    caughtBy: ["scopes"],
  },
  {
    name: "search index: answers from scopes not asked",
    results: () => run.index(() => new LeaksScopes()),
    caughtBy: ["scopes"],
  },
  {
    name: "vector store: filters ignored",
    results: () => run.vectors(() => new VectorsIgnoreFilter()),
    caughtBy: ["filter.eq", "filter.in"],
  },
  {
    name: "vector store: delete forgets nothing",
    results: () => run.vectors(() => new VectorsKeepDeleted()),
    caughtBy: ["delete"],
  },
  {
    name: "vector store: hits not best first",
    results: () => run.vectors(() => new VectorsUnsorted()),
    caughtBy: ["query"],
  },
  {
    name: "vector store: declares maxK 10, answers k 11",
    results: () => run.vectors(() => new VectorsOverMaxK(), { capabilities: { maxK: 10 } }),
    caughtBy: ["query.max-k"],
  },
  {
    name: "vector store: declares persistent, a reopened store finds nothing",
    results: () =>
      run.vectors(() => new VectorsNotPersistent(), {
        capabilities: { persistent: true },
        reopen: () => VectorsNotPersistent.reopenEmpty(),
      }),
    caughtBy: ["persistent"],
  },
  {
    name: "embeddings: declares batches of 8, answers only the first",
    results: () => run.embeddings(() => new DropsAfterFirstBatch(), { maxBatch: 8 }),
    caughtBy: ["embed.max-batch"],
  },
  {
    name: "embeddings: a vector depends on its batch",
    results: () => run.embeddings(() => new BatchDependentEmbeddings()),
    caughtBy: ["embed.batch-independent"],
  },
  {
    name: "embeddings: an aborted signal ignored",
    results: () => run.embeddings(() => new IgnoresAbort()),
    caughtBy: ["embed.abort"],
  },
];

describe("knowledge-side mutants", () => {
  for (const mutant of MUTANTS) {
    it(`${mutant.name} - caught by ${mutant.caughtBy.join(", ")}`, async () => {
      const failed = caseIds(await mutant.results(), "failed");
      expect(failed).toEqual(expect.arrayContaining(mutant.caughtBy));
    }, 120_000);
  }
});
