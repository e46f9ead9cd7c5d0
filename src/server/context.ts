/**
 * What every route module gets: the options of `createApp` with defaults applied, and small
 * request helpers shared by the routes.
 * @module
 */
import type { Context } from "hono";
import type * as z from "zod/mini";
import type { EventBus } from "../core/events/types.ts";
import type { KnowledgeIngestionManager } from "../core/knowledge/ingestion.ts";
import type { KnowledgeResourceBackend } from "../core/knowledge/types.ts";
import type { RAGKnowledgeBase } from "../core/rag/knowledge-base.ts";
import type { RegistryBackend } from "../core/registry/types.ts";
import { parseWith } from "../core/validate.ts";

/** Resolved server settings. */
export interface ServerContext {
  registry: RegistryBackend;
  knowledge: KnowledgeResourceBackend | undefined;
  rag: RAGKnowledgeBase | undefined;
  ingestion: KnowledgeIngestionManager | undefined;
  eventBus: EventBus | undefined;
  maxJsonBytes: number;
  maxFileBytes: number;
  heartbeatMs: number;
}

/**
 * The query parameters validated by `schema` (400 naming `query` on failure). Repeated
 * parameters keep their first value.
 * @example
 * const { status } = query(c, listBotsQuery);
 */
export function query<T>(c: Context, schema: z.ZodMiniType<T>): T {
  // Parsing the URL costs; most requests carry no query at all.
  const values = c.req.url.includes("?") ? c.req.query() : {};
  return parseWith(schema, values, "query");
}

/**
 * Runs `task` after the response: `executionCtx.waitUntil` on Workers (so the isolate stays
 * alive for it), a detached promise elsewhere. `task` must handle its own errors.
 * @example
 * background(c, job.run());
 */
export function background(c: Context, task: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(task);
  } catch {
    // No execution context (Node, Deno, Bun, app.fetch without one): the promise runs on.
  }
}
