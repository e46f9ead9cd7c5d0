/**
 * Every runtime-agnostic suite and every unit case (`test/unit/`), run with one harness. Vitest (Node, workerd, Chromium), Deno and
 * Bun each call `runAll` with their own runner's globals, so the same cases run everywhere.
 */
import { InMemoryEventBus } from "../../src/core/events/memory-bus.ts";
import { MemoryRecordStore } from "../../src/core/registry/memory-record-store.ts";
import {
  BlobKnowledgeBackend,
  BlobSearchIndex,
  EchoEmbeddingProvider,
  InMemoryBackend,
  InMemoryKnowledgeBackend,
  MemoryBlobStore,
  MemoryVectorStore,
} from "../../src/index.ts";
import {
  cachingManagerSuite,
  conformance,
  hotReloadSuite,
  knowledgeBackendSuite,
  registryBackendSuite,
  searchIndexSuite,
  type TestHarness,
  withLatency,
} from "../../src/testing/index.ts";
import { abandonBlobCommit } from "../../src/testing/search-index-sweep-cases.ts";
import { blobRecordPort } from "../fixtures/blob-records.ts";
import { runUnits } from "../unit/all.ts";
import { exampleSuite } from "./examples.ts";

export function runAll(h: TestHarness, runtime: string): void {
  registryBackendSuite(h, {
    name: `InMemoryBackend (${runtime})`,
    create: ({ now, eventBus, historyLimit }) =>
      new InMemoryBackend({ now, eventBus, historyLimit }),
  });
  // The memory implementations of every port, and what botknobs builds over them.
  conformance(h, {
    name: `memory (${runtime})`,
    recordStore: { create: () => new MemoryRecordStore() },
    blobStore: { create: () => new MemoryBlobStore() },
    vectorStore: { create: () => new MemoryVectorStore() },
    embeddingProvider: { create: () => new EchoEmbeddingProvider({ dimensions: 64 }) },
    eventBus: { create: () => new InMemoryEventBus() },
  });
  // The registry over a blob store: every port's rule through the store's conditional puts.
  conformance(h, {
    name: `BlobRecordStore over a MemoryBlobStore (${runtime})`,
    recordStore: blobRecordPort({ blobs: () => new MemoryBlobStore() }),
  });
  cachingManagerSuite(h, { name: `memory (${runtime})` });
  hotReloadSuite(h, { name: `memory (${runtime})` });
  knowledgeBackendSuite(h, {
    name: `InMemoryKnowledgeBackend (${runtime})`,
    create: ({ now }) => new InMemoryKnowledgeBackend({ now }),
  });
  const kbStores = new WeakMap<object, MemoryBlobStore>();
  knowledgeBackendSuite(h, {
    name: `BlobKnowledgeBackend over a store with 0–4 ms latency (${runtime})`,
    create: ({ now }) => {
      const store = new MemoryBlobStore();
      const kb = new BlobKnowledgeBackend({ store: withLatency(store, 4), now });
      kbStores.set(kb, store);
      return kb;
    },
    reopen: (kb) =>
      new BlobKnowledgeBackend({ store: withLatency(kbStores.get(kb) as MemoryBlobStore, 4) }),
  });
  searchIndexSuite(h, {
    name: `BlobSearchIndex in memory (${runtime})`,
    create: () => new BlobSearchIndex(),
  });
  // Vectors in a store given to the index, not in its segments: the memory store keeps them in
  // this process only, so the index does not say persistent (the reopen cases skip, visibly).
  searchIndexSuite(h, {
    name: `BlobSearchIndex over a MemoryBlobStore, vectors in a MemoryVectorStore (${runtime})`,
    create: ({ now }) =>
      new BlobSearchIndex({ store: new MemoryBlobStore(), vectors: new MemoryVectorStore(), now }),
    capabilities: { persistent: false, revisions: true },
    abandonCommit: abandonBlobCommit,
  });
  const indexStores = new WeakMap<object, MemoryBlobStore>();
  searchIndexSuite(h, {
    name: `BlobSearchIndex over a store with 0–4 ms latency, uncompressed (${runtime})`,
    create: ({ now }) => {
      const store = new MemoryBlobStore();
      const index = new BlobSearchIndex({
        store: withLatency(store, 4),
        compress: false,
        maxDeltas: 2,
        now,
      });
      indexStores.set(index, store);
      return index;
    },
    reopen: (index) =>
      new BlobSearchIndex({
        store: withLatency(indexStores.get(index) as MemoryBlobStore, 4),
        compress: false,
      }),
    capabilities: { persistent: true, revisions: true },
    abandonCommit: abandonBlobCommit,
  });
  runUnits(h, runtime);
  exampleSuite(h, runtime);
}
