/**
 * What every route module gets: the options of `createApp` with defaults applied, and small
 * request helpers shared by the routes.
 * @module
 */
import type { Context } from "hono";
import type { UpgradeWebSocket } from "hono/ws";
import type * as z from "zod/mini";
import type { EventBus } from "../core/events/types.ts";
import type { KnowledgeIngestionManager } from "../core/knowledge/ingestion.ts";
import type { RAGKnowledgeBase } from "../core/knowledge/search/knowledge-base.ts";
import type { KnowledgeResourceBackend } from "../core/knowledge/store/types.ts";
import type { RegistryBackend } from "../core/registry/types.ts";
import { parseWith } from "../core/validate.ts";
import type { EventHistory } from "./event-history.ts";

/** Resolved server settings. */
export interface ServerContext {
  registry: RegistryBackend;
  knowledge: KnowledgeResourceBackend | undefined;
  rag: RAGKnowledgeBase | undefined;
  ingestion: KnowledgeIngestionManager | undefined;
  eventBus: EventBus | undefined;
  maxJsonBytes: number;
  maxFileBytes: number;
  /** Largest `POST /events` body. */
  maxEventBytes: number;
  /** Bytes an event-stream client may fall behind before it is cut off. */
  maxQueuedBytes: number;
  heartbeatMs: number;
  upgradeWebSocket: UpgradeWebSocket | undefined;
  /** The recent events a reconnecting stream client can resume from. */
  history: EventHistory | undefined;
  /** The clock (ms). */
  now: () => number;
}

/** What `@hono/node-server` passes as `c.env`: Node's request (absent on other runtimes). */
interface NodeBindings {
  incoming?: { url?: unknown; headers?: Record<string, string | string[] | undefined> };
}

/**
 * Node's raw request behind `c`, when the app is served by `@hono/node-server`.
 * @example
 * const raw = incoming(c)?.url; // the request target before URL parsing
 */
export function incoming(c: Context): NodeBindings["incoming"] {
  return (c.env as NodeBindings | undefined)?.incoming;
}

/**
 * A request header (`name` in lower case). On Node it reads the raw request's headers: asking
 * `c.req.header()` there builds a whole `Headers` object from them, which costs more than the
 * rest of a cached read. Repeated headers come joined with `", "`, as `Headers.get` does (Node
 * keeps only the first of single-valued ones such as `authorization`).
 * @example
 * const tag = header(c, "if-none-match");
 */
export function header(c: Context, name: string): string | undefined {
  const headers = incoming(c)?.headers;
  if (headers === undefined) return c.req.header(name);
  const value = headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
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
