/**
 * {@link conformance}: one call that runs every conformance suite the ports you give allow. Give
 * an adapter's ports (a record store, a blob store, a vector store, an event bus, …) and it runs
 * each port's own suite and the suites of what botknobs builds over them: the registry over a
 * record store, the knowledge backend and the persisted search index over a blob store. A port an
 * adapter does not have is simply not given; a capability a port lacks shows as a skipped case
 * with its reason, never as a pass.
 * @module
 */
import type { BlobStore, BlobStoreCapabilities } from "../core/blob/types.ts";
import type { KnowledgeResourceBackend } from "../core/knowledge/store/types.ts";
import { type BlobStoreSuiteOptions, blobStoreSuite } from "./blob-store-suite.ts";
import { blockSegmentCases } from "./block-segment-cases.ts";
import {
  type EmbeddingProviderSuiteOptions,
  embeddingProviderSuite,
} from "./embedding-provider-suite.ts";
import { type EventBusSuiteOptions, eventBusSuite } from "./event-bus-suite.ts";
import type { TestHarness } from "./harness.ts";
import {
  type KnowledgeBackendSuiteOptions,
  knowledgeBackendSuite,
} from "./knowledge-backend-suite.ts";
import { type RecordStoreSuiteOptions, recordStoreSuite } from "./record-store-suite.ts";
import {
  type RegistryBackendCapabilities,
  type RegistryBackendSuiteOptions,
  registryBackendSuite,
} from "./registry-backend-suite.ts";
import { type SearchIndexSuiteOptions, searchIndexSuite } from "./search-index-suite.ts";
import { abandonBlobCommit } from "./search-index-sweep-cases.ts";
import { type VectorStoreSuiteOptions, vectorStoreSuite } from "./vector-store-suite.ts";

/** A suite's options without its name (the umbrella names each run). */
type Port<T> = Omit<T, "name">;

/** A record store, as {@link recordStoreSuite} takes it, plus what the registry over it declares. */
export interface RecordStorePort extends Port<RecordStoreSuiteOptions> {
  /** What `StoreRegistryBackend` over this store can show (e.g. `persistsOnClose` for a durable store). */
  registry?: RegistryBackendCapabilities;
}

/**
 * A blob store, as {@link blobStoreSuite} takes it (a read-only one with its `writer`). Its `reopen` (another instance over the same
 * storage; default: the same instance) also serves the knowledge-backend and search-index suites
 * over the store, for their cases with two writers and for reopening a persisted index.
 */
export interface BlobStorePort extends Port<BlobStoreSuiteOptions> {}

/** The ports of one adapter (or one configuration of it); give those it has. */
export interface ConformanceOptions {
  /** Names the run: each suite is titled `<name> · <port>`. */
  name: string;
  /** Runs `recordStoreSuite`, and `registryBackendSuite` over `StoreRegistryBackend` on it. */
  recordStore?: RecordStorePort;
  /** Runs `registryBackendSuite` on a backend that is not a record store (an HTTP client, say). */
  registryBackend?: Port<RegistryBackendSuiteOptions>;
  /**
   * Runs `blobStoreSuite`, and over the store: `knowledgeBackendSuite` (`BlobKnowledgeBackend`,
   * skipped with its reason when the store cannot compare-and-set) and `searchIndexSuite`
   * (a persisted `BlobSearchIndex`, reopened through `reopen`).
   */
  blobStore?: BlobStorePort;
  /** Runs `knowledgeBackendSuite` on a knowledge backend of the adapter's own. */
  knowledgeBackend?: Port<KnowledgeBackendSuiteOptions>;
  /** Runs `searchIndexSuite` on a search index of the adapter's own. */
  searchIndex?: Port<SearchIndexSuiteOptions>;
  /** Runs `vectorStoreSuite`. */
  vectorStore?: Port<VectorStoreSuiteOptions>;
  /** Runs `embeddingProviderSuite`. */
  embeddingProvider?: Port<EmbeddingProviderSuiteOptions>;
  /** Runs `eventBusSuite`. */
  eventBus?: Port<EventBusSuiteOptions>;
}

/** The port names {@link conformance} knows, in the order it runs them. */
export const CONFORMANCE_PORTS: readonly (keyof Omit<ConformanceOptions, "name">)[] = [
  "recordStore",
  "registryBackend",
  "blobStore",
  "knowledgeBackend",
  "searchIndex",
  "vectorStore",
  "embeddingProvider",
  "eventBus",
];

// What the suites build over a port loads when a case first needs it: `botknobs/testing` stays
// small for a user who runs one suite.
const registryModule = () => import("../core/registry/store-backend.ts");
const knowledgeModule = () => import("../core/knowledge/store/blob-backend.ts");
const indexModule = () => import("../core/knowledge/index/blob-search-index.ts");

/** Registers a suite that cannot run as one skipped case saying why. */
function skipped(h: TestHarness, title: string, reason: string): void {
  h.describe(title, () => {
    h.it.skip(`suite (skipped: ${reason})`, () => {});
  });
}

function registryOver(h: TestHarness, name: string, port: RecordStorePort): void {
  const stores = new WeakMap<object, Awaited<ReturnType<RecordStorePort["create"]>>>();
  registryBackendSuite(h, {
    name: `${name} · RegistryBackend over the record store`,
    ...(port.registry ? { capabilities: port.registry } : {}),
    create: async ({ now, eventBus, historyLimit }) => {
      const { StoreRegistryBackend } = await registryModule();
      const store = await port.create();
      const backend = new StoreRegistryBackend({ store, now, eventBus, historyLimit });
      stores.set(backend, store);
      return backend;
    },
    destroy: async (backend) => {
      await backend.clear().catch(() => {});
      await backend.close();
      const store = stores.get(backend);
      if (store && port.destroy) await port.destroy(store);
    },
  });
}

function overBlobStore(h: TestHarness, name: string, port: BlobStorePort): void {
  if (port.capabilities?.readOnly) {
    const why = "the store is read-only (capabilities.readOnly): nothing can be written through it";
    skipped(h, `${name} · KnowledgeResourceBackend over the blob store`, why);
    skipped(
      h,
      `${name} · SearchIndex persisted in the blob store`,
      `${why}; a BlobSearchIndex over it reads an index another store wrote`,
    );
    return;
  }
  const stores = new WeakMap<object, BlobStore>();
  const reopen = async (of: object): Promise<BlobStore> => {
    const store = stores.get(of) as BlobStore;
    return port.reopen ? port.reopen(store) : store;
  };
  const release = async (of: object): Promise<void> => {
    const store = stores.get(of);
    if (store && port.destroy) await port.destroy(store);
  };
  const conditional: Partial<BlobStoreCapabilities> = port.capabilities ?? {};
  if (conditional.conditionalPut === false)
    skipped(
      h,
      `${name} · KnowledgeResourceBackend over the blob store`,
      "the store cannot compare-and-set (capabilities.conditionalPut is false), so BlobKnowledgeBackend over it takes one writer only",
    );
  else
    knowledgeBackendSuite(h, {
      name: `${name} · KnowledgeResourceBackend over the blob store`,
      create: async ({ now }) => {
        const { BlobKnowledgeBackend } = await knowledgeModule();
        const store = await port.create();
        const kb = new BlobKnowledgeBackend({ store, now });
        stores.set(kb, store);
        return kb;
      },
      reopen: async (kb: KnowledgeResourceBackend) =>
        new (await knowledgeModule()).BlobKnowledgeBackend({ store: await reopen(kb) }),
      destroy: async (kb) => {
        await kb.close();
        await release(kb);
      },
    });
  searchIndexSuite(h, {
    name: `${name} · SearchIndex persisted in the blob store`,
    create: async ({ now }) => {
      const { BlobSearchIndex } = await indexModule();
      const store = await port.create();
      const index = new BlobSearchIndex({ store, now });
      stores.set(index, store);
      return index;
    },
    reopen: async (index) => {
      const again = new (await indexModule()).BlobSearchIndex({ store: await reopen(index) });
      stores.set(again, stores.get(index) as BlobStore);
      return again;
    },
    destroy: async (index) => {
      await index.close?.();
      await release(index);
    },
    capabilities: { persistent: true, revisions: true },
    abandonCommit: abandonBlobCommit,
    ...(conditional.conditionalPut === false
      ? {
          oneWriter:
            "the store cannot compare-and-set (capabilities.conditionalPut is false), so the index over it takes one writer",
        }
      : {}),
  });
  blockSegmentCases(h, {
    name: `${name} · block segments`,
    create: () => port.create(),
    destroy: async (store) => {
      if (port.destroy) await port.destroy(store);
    },
  });
}

/**
 * Runs every conformance suite that the given ports allow, under one harness (Vitest, `bun test`,
 * `deno test`, Jest). The conformance promise to an adapter author: what passes here works under
 * the registry, the caches, hot reload, knowledge ingestion and search.
 * @example
 * import { afterEach, beforeEach, describe, expect, it } from "vitest";
 * import { conformance } from "botknobs/testing";
 * conformance({ describe, it, expect, beforeEach, afterEach }, {
 *   name: "MyStore",
 *   recordStore: { create: () => new MyRecordStore(), registry: { persistsOnClose: true } },
 *   blobStore: { create: () => new MyBlobStore(), reopen: (s) => new MyBlobStore(s.options) },
 * });
 */
export function conformance(h: TestHarness, options: ConformanceOptions): void {
  const { name } = options;
  if (options.recordStore) {
    recordStoreSuite(h, { ...options.recordStore, name: `${name} · RecordStore` });
    registryOver(h, name, options.recordStore);
  }
  if (options.registryBackend)
    registryBackendSuite(h, { ...options.registryBackend, name: `${name} · RegistryBackend` });
  if (options.blobStore) {
    blobStoreSuite(h, { ...options.blobStore, name: `${name} · BlobStore` });
    overBlobStore(h, name, options.blobStore);
  }
  if (options.knowledgeBackend)
    knowledgeBackendSuite(h, {
      ...options.knowledgeBackend,
      name: `${name} · KnowledgeResourceBackend`,
    });
  if (options.searchIndex)
    searchIndexSuite(h, { ...options.searchIndex, name: `${name} · SearchIndex` });
  if (options.vectorStore)
    vectorStoreSuite(h, { ...options.vectorStore, name: `${name} · VectorStore` });
  if (options.embeddingProvider)
    embeddingProviderSuite(h, {
      ...options.embeddingProvider,
      name: `${name} · EmbeddingProvider`,
    });
  if (options.eventBus) eventBusSuite(h, { ...options.eventBus, name: `${name} · EventBus` });
}
