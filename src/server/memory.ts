/**
 * `createInMemoryApp`: the API over embedded in-memory defaults — registry, knowledge base,
 * lexical RAG, ingestion and event bus wired together. What `npm start` and the Worker serve
 * until persistent adapters are configured.
 * @module
 */

import type { Hono } from "hono";
import { InMemoryEventBus } from "../core/events/memory-bus.ts";
import { KnowledgeIngestionManager } from "../core/knowledge/ingestion.ts";
import { RAGKnowledgeBase } from "../core/knowledge/search/knowledge-base.ts";
import { InMemoryKnowledgeBackend } from "../core/knowledge/store/memory-backend.ts";
import { InMemoryBackend } from "../core/registry/memory-backend.ts";
import { type AppOptions, createApp } from "./app.ts";

/** The app and the services behind it (seed them, or hand them to other code). */
export interface InMemoryApp {
  app: Hono;
  eventBus: InMemoryEventBus;
  registry: InMemoryBackend;
  knowledge: InMemoryKnowledgeBackend;
  rag: RAGKnowledgeBase;
  ingestion: KnowledgeIngestionManager;
}

/** Options of {@link createInMemoryApp}: `createApp`'s, less the services it makes. */
export interface InMemoryAppOptions
  extends Omit<AppOptions, "registry" | "knowledge" | "rag" | "ingestion" | "eventBus"> {
  /**
   * Serve `/events` (default true). Workers set it false: a stream opened by one request cannot
   * carry events raised by another there, so an isolate's in-memory bus cannot feed it (a
   * Durable Object bus can). The bus still links registry and ingestion in-process.
   */
  eventStream?: boolean;
}

/**
 * Builds the API over in-memory services; `options` (auth, CORS, limits) pass to `createApp`.
 * @example
 * const { app, registry } = createInMemoryApp();
 * await registry.register("support-bot", { llm: { model: "claude-3-sonnet" } });
 * export default { fetch: app.fetch };
 */
export function createInMemoryApp(options: InMemoryAppOptions = {}): InMemoryApp {
  const { eventStream = true, ...appOptions } = options;
  const eventBus = new InMemoryEventBus();
  const registry = new InMemoryBackend({ eventBus });
  const knowledge = new InMemoryKnowledgeBackend();
  const rag = new RAGKnowledgeBase();
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
