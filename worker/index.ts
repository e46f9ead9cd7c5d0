/**
 * The botknobs Worker: the HTTP API (`botknobs/server`) over in-isolate memory backends. The
 * Cloudflare adapters (KV/D1 registry, R2 knowledge, Durable Object events) replace these
 * defaults as they land; until then state lives as long as the isolate.
 */
import {
  InMemoryBackend,
  InMemoryEventBus,
  InMemoryKnowledgeBackend,
  KnowledgeIngestionManager,
  RAGKnowledgeBase,
} from "../src/index.ts";
import { createApp } from "../src/server/index.ts";

const eventBus = new InMemoryEventBus();
const registry = new InMemoryBackend({ eventBus });
const knowledge = new InMemoryKnowledgeBackend();
const rag = new RAGKnowledgeBase();
const ingestion = new KnowledgeIngestionManager({ source: knowledge, destination: rag, eventBus });
const app = createApp({ registry, knowledge, rag, ingestion, eventBus });

const worker: {
  fetch(request: Request, env?: unknown, ctx?: unknown): Response | Promise<Response>;
} = {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx as never),
};

export default worker;
