/**
 * Every runtime-agnostic suite, run with one harness. Vitest (Node, workerd, Chromium), Deno and
 * Bun each call `runAll` with their own runner's globals, so the same cases run everywhere.
 */
import { InMemoryEventBus } from "../../src/core/events/memory-bus.ts";
import { MemoryRecordStore } from "../../src/core/registry/memory-record-store.ts";
import {
  InMemoryBackend,
  InMemoryKnowledgeBackend,
  MemoryBlobStore,
  StoreRegistryBackend,
} from "../../src/index.ts";
import {
  blobStoreSuite,
  cachingManagerSuite,
  eventBusSuite,
  hotReloadSuite,
  knowledgeBackendSuite,
  recordStoreSuite,
  registryBackendSuite,
  type TestHarness,
} from "../../src/testing/index.ts";
import { coreUnitSuite } from "./core-units.ts";
import { exampleSuite } from "./examples.ts";
import { ingestUnitSuite } from "./ingest-units.ts";
import { ragUnitSuite } from "./rag-units.ts";
import { registryUnitSuite } from "./registry-units.ts";
import { reloadUnitSuite } from "./reload-units.ts";
import { searchUnitSuite } from "./search-units.ts";

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
    create: () => new InMemoryKnowledgeBackend(),
  });
  coreUnitSuite(h, runtime);
  registryUnitSuite(h, runtime);
  reloadUnitSuite(h, runtime);
  ingestUnitSuite(h, runtime);
  searchUnitSuite(h, runtime);
  ragUnitSuite(h, runtime);
  exampleSuite(h, runtime);
}
