/**
 * What every route module gets: the options of `createApp` with defaults applied, and small
 * request helpers shared by the routes.
 * @module
 */
import type { Context } from "hono";
import type { UpgradeWebSocket } from "hono/ws";
import type * as z from "zod/mini";
import type { EventBus } from "../core/events/types.ts";
import type { IngestionScheduler } from "../core/knowledge/ingest/scheduler.ts";
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
  /** Where ingestion runs, when not in this process through `ingestion`. */
  scheduler: IngestionScheduler | undefined;
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
  /** Labels that move only with an `If-Match` or a token allowed to move them. */
  protectedLabels: ReadonlySet<string>;
}

/**
 * The request as the server received it, before URL parsing: what a runtime adapter may add to
 * the app's bindings (`c.env`, under {@link RAW_REQUEST}) when its server has it.
 * `botknobs/node`'s `serveApp` does (see its `withRawRequest`); elsewhere it is absent and the
 * Web `Request` is read. The app has no runtime branches: it reads this when it is there.
 */
export interface RawRequest {
  /** The request target as sent (path and query), before dot segments are resolved. */
  readonly target: string;
  /** A header (`name` in lower case); repeated ones joined with `", "`, as `Headers.get` does. */
  header(name: string): string | undefined;
}

/**
 * The key of the {@link RawRequest} in the bindings (`c.env`).
 * @example
 * app.fetch(request, { ...env, [RAW_REQUEST]: raw });
 */
export const RAW_REQUEST = "botknobs.rawRequest";

/**
 * The {@link RawRequest} behind `c`, when the runtime adapter passed one.
 * @example
 * const target = rawRequest(c)?.target; // the request target before URL parsing
 */
export function rawRequest(c: Context): RawRequest | undefined {
  return (c.env as Record<string, RawRequest | undefined> | undefined)?.[RAW_REQUEST];
}

/**
 * A request header (`name` in lower case), from the {@link RawRequest} when there is one: on Node
 * `c.req.header()` builds a whole `Headers` object from the raw headers, which costs more than
 * the rest of a cached read.
 * @example
 * const tag = header(c, "if-none-match");
 */
export function header(c: Context, name: string): string | undefined {
  const raw = rawRequest(c);
  return raw === undefined ? c.req.header(name) : raw.header(name);
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
