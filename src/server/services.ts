/**
 * The API wired over two stores: registry records in a `RecordStore`, knowledge files (and, when
 * asked, the search index beside them) in a `BlobStore` — with an event bus linking the registry,
 * ingestion and `/events`. `createInMemoryApp` is this over memory; the Worker (`worker/`) is this
 * over D1 and R2; `botknobs/node`'s `createFileApp` is this over a data folder (what
 * `npm start` serves).
 * @module
 */
import type { Hono } from "hono";
import { MemoryBlobStore } from "../core/blob/memory-blob-store.ts";
import type { BlobStore } from "../core/blob/types.ts";
import { InMemoryEventBus } from "../core/events/memory-bus.ts";
import type { EventBus } from "../core/events/types.ts";
import { BlobSearchIndex } from "../core/knowledge/index/blob-search-index.ts";
import { KnowledgeIngestionManager } from "../core/knowledge/ingestion.ts";
import { RAGKnowledgeBase } from "../core/knowledge/search/knowledge-base.ts";
import { BlobKnowledgeBackend } from "../core/knowledge/store/blob-backend.ts";
import { MemoryRecordStore } from "../core/registry/memory-record-store.ts";
import type { RecordStore } from "../core/registry/record-store.ts";
import { StoreRegistryBackend } from "../core/registry/store-backend.ts";
import { type AppOptions, createApp } from "./app.ts";

/** The app and the services behind it (seed them, or hand them to other code). */
export interface ServedApp {
  app: Hono;
  eventBus: EventBus;
  registry: StoreRegistryBackend;
  knowledge: BlobKnowledgeBackend;
  rag: RAGKnowledgeBase;
  ingestion: KnowledgeIngestionManager;
}

/** Options of {@link createAppOver}: `createApp`'s, less the services it makes. */
export interface ServedAppOptions
  extends Omit<AppOptions, "registry" | "knowledge" | "rag" | "ingestion" | "eventBus"> {
  /**
   * Serve `/events` (default true). Workers set it false: a stream opened by one request cannot
   * carry events raised by another there, so an isolate's in-memory bus cannot feed it (a
   * Durable Object bus can). The bus still links registry and ingestion in-process.
   */
  eventStream?: boolean;
  /**
   * The bus linking the registry, ingestion and `/events` (default: a new `InMemoryEventBus`).
   * A distributed one (`FileEventBus`, which `createFileApp` passes) carries every write to the
   * clients of every process on it.
   */
  eventBus?: EventBus;
  /** Versions kept per bot (`StoreRegistryBackend`'s `historyLimit`; default: all). */
  historyLimit?: number | undefined;
  /**
   * Revisions of each knowledge base's persisted search index kept searchable, for bots whose
   * config pins one (`BlobSearchIndex`'s `keepRevisions`; default 10).
   */
  keepRevisions?: number | undefined;
}

/** The stores an app is wired over. */
export interface AppStores {
  /** Registry records (with their history). */
  records: RecordStore;
  /** Knowledge files. */
  blobs: BlobStore;
  /** Keep the search index in `blobs` too, beside each knowledge base (default true). */
  persistIndex?: boolean;
}

/**
 * Builds the API over the given stores; `options` (auth, CORS, limits) pass to `createApp`.
 * @example
 * const { app } = createAppOver({ records: new MemoryRecordStore(), blobs: new MemoryBlobStore() });
 */
export function createAppOver(stores: AppStores, options: ServedAppOptions = {}): ServedApp {
  const {
    eventStream = true,
    eventBus = new InMemoryEventBus(),
    historyLimit,
    keepRevisions,
    ...appOptions
  } = options;
  const registry = new StoreRegistryBackend({ store: stores.records, eventBus, historyLimit });
  const knowledge = new BlobKnowledgeBackend({ store: stores.blobs });
  const rag = new RAGKnowledgeBase({
    index: new BlobSearchIndex(
      stores.persistIndex === false
        ? {}
        : { store: stores.blobs, ...(keepRevisions === undefined ? {} : { keepRevisions }) },
    ),
    knowledge,
  });
  const ingestion = new KnowledgeIngestionManager({
    source: knowledge,
    destination: rag,
    eventBus,
  });
  const app = createApp({
    ...appOptions,
    registry,
    knowledge,
    rag,
    ingestion,
    ...(eventStream ? { eventBus } : {}),
  });
  return { app, eventBus, registry, knowledge, rag, ingestion };
}

/**
 * The API over in-memory services: what `npm start -- --memory` serves, and tests. Everything is gone when the process ends.
 * @example
 * const { app, registry } = createInMemoryApp();
 * await registry.register("support-bot", { llm: { model: "claude-3-sonnet" } });
 * export default { fetch: app.fetch };
 */
export function createInMemoryApp(options: ServedAppOptions = {}): ServedApp {
  return createAppOver(
    { records: new MemoryRecordStore(), blobs: new MemoryBlobStore(), persistIndex: false },
    options,
  );
}
