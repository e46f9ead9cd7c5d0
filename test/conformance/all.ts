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
  StoreRegistryBackend,
} from "../../src/index.ts";
import {
  blobStoreSuite,
  cachingManagerSuite,
  embeddingProviderSuite,
  eventBusSuite,
  hotReloadSuite,
  knowledgeBackendSuite,
  recordStoreSuite,
  registryBackendSuite,
  searchIndexSuite,
  type TestHarness,
  vectorStoreSuite,
  withLatency,
} from "../../src/testing/index.ts";
import { runUnits } from "../unit/all.ts";
import { exampleSuite } from "./examples.ts";

export function runAll(h: TestHarness, runtime: string): void {
  registryBackendSuite(h, {
    name: `InMemoryBackend (${runtime})`,
    create: ({ now, eventBus, historyLimit }) =>
      new InMemoryBackend({ now, eventBus, historyLimit }),
  });
  registryBackendSuite(h, {
    name: `StoreRegistryBackend over MemoryRecordStore (${runtime})`,
    create: ({ now, eventBus, historyLimit }) =>
      new StoreRegistryBackend({ store: new MemoryRecordStore(), now, eventBus, historyLimit }),
  });
  recordStoreSuite(h, {
    name: `MemoryRecordStore (${runtime})`,
    create: () => new MemoryRecordStore(),
  });
  eventBusSuite(h, { name: `InMemoryEventBus (${runtime})`, create: () => new InMemoryEventBus() });
  cachingManagerSuite(h, { name: `memory (${runtime})` });
  hotReloadSuite(h, { name: `memory (${runtime})` });
  blobStoreSuite(h, { name: `MemoryBlobStore (${runtime})`, create: () => new MemoryBlobStore() });
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
    create: () =>
      new BlobSearchIndex({ store: new MemoryBlobStore(), vectors: new MemoryVectorStore() }),
    capabilities: { persistent: false },
  });
  const indexStores = new WeakMap<object, MemoryBlobStore>();
  searchIndexSuite(h, {
    name: `BlobSearchIndex over a MemoryBlobStore (${runtime})`,
    create: () => {
      const store = new MemoryBlobStore();
      const index = new BlobSearchIndex({ store });
      indexStores.set(index, store);
      return index;
    },
    reopen: (index) => new BlobSearchIndex({ store: indexStores.get(index) as MemoryBlobStore }),
    capabilities: { persistent: true },
  });
  searchIndexSuite(h, {
    name: `BlobSearchIndex over a store with 0–4 ms latency, uncompressed (${runtime})`,
    create: () => {
      const store = new MemoryBlobStore();
      const index = new BlobSearchIndex({
        store: withLatency(store, 4),
        compress: false,
        maxDeltas: 2,
      });
      indexStores.set(index, store);
      return index;
    },
    reopen: (index) =>
      new BlobSearchIndex({
        store: withLatency(indexStores.get(index) as MemoryBlobStore, 4),
        compress: false,
      }),
    capabilities: { persistent: true },
  });
  vectorStoreSuite(h, {
    name: `MemoryVectorStore (${runtime})`,
    create: () => new MemoryVectorStore(),
  });
  embeddingProviderSuite(h, {
    name: `EchoEmbeddingProvider (${runtime})`,
    create: () => new EchoEmbeddingProvider({ dimensions: 64 }),
  });
  runUnits(h, runtime);
  exampleSuite(h, runtime);
}
