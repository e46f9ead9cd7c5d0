/**
 * `createApp(options)`: one Hono app serving the registry (`/bots`, alias `/configs`, with
 * labels, splits and diffs), the audit trail (`/audit`), the knowledge API (`/kb`), the event
 * stream (`/events`), `/openapi.json` and the web console (`/`). Web standards and
 * hono only, so the same app runs on Workers, Node, Deno and Bun.
 * @module
 */
import { Hono, type MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { UpgradeWebSocket } from "hono/ws";
import type { EventBus } from "../core/events/types.ts";
import type { IngestionScheduler } from "../core/knowledge/ingest/scheduler.ts";
import type { KnowledgeIngestionManager } from "../core/knowledge/ingestion.ts";
import type { RAGKnowledgeBase } from "../core/knowledge/search/knowledge-base.ts";
import type { KnowledgeResourceBackend } from "../core/knowledge/store/types.ts";
import { checkLabelName } from "../core/registry/labels.ts";
import type { RegistryBackend } from "../core/registry/types.ts";
import { auditRoutes } from "./audit-routes.ts";
import { type AuthOptions, authEnabled, bearerAuth } from "./auth.ts";
import { consoleRoutes } from "./console-routes.ts";
import { type RawRequest, rawRequest, type ServerContext } from "./context.ts";
import { ApiErrorCode, badInput, errorResponse } from "./errors.ts";
import { EventHistory } from "./event-history.ts";
import { eventRoutes } from "./event-routes.ts";
import { knowledgeRoutes } from "./knowledge-routes.ts";
import { openApiDocument } from "./openapi.ts";
import { registryRoutes } from "./registry-routes.ts";

/** Options of {@link createApp}. */
export interface AppOptions {
  registry: RegistryBackend;
  /** Serves `/kb` (default: the ingestion manager's source). Without it `/kb` answers 501. */
  knowledge?: KnowledgeResourceBackend;
  /** Serves search (default: the ingestion manager's destination). */
  rag?: RAGKnowledgeBase;
  /** Serves `POST /kb/{domain}/ingest`: runs in this process (see `ingestionScheduler`). */
  ingestion?: KnowledgeIngestionManager;
  /**
   * Where ingestion runs (`/kb/{domain}/ingest…`): default in this process through `ingestion`,
   * one whole run per job. The Worker passes its Durable Object scheduler (a batch per alarm).
   */
  ingestionScheduler?: IngestionScheduler;
  /** Serves `/events`. Give the registry backend the same bus so its writes are streamed. */
  eventBus?: EventBus;
  /**
   * Bearer tokens; with any configured, every route needs one. Give them names
   * (`{ name, token }`): the audit trail records a token's name as the actor of its writes.
   */
  auth?: AuthOptions;
  /**
   * Labels that move (`PUT`/`DELETE /bots/{id}/labels/{name}`) only with an `If-Match` naming
   * the bot's current version or ETag, or with a token given `protectedLabels: true`; otherwise
   * 428. Default `["production"]`; `[]` protects none.
   */
  protectedLabels?: string[];
  /**
   * Serve the web console at `/` (its script and style sheet at `/console/…`; default true).
   * Those three files hold no data and answer without a token; every request the console makes
   * to the API carries the token it asks for when the API answers 401.
   */
  console?: boolean;
  /** CORS for browsers: the allowed origins, or `"*"`. Off by default. */
  cors?: { origins: string[] | "*" };
  limits?: {
    /** Largest JSON body in bytes (default 1 MiB + 64 KiB: a 1 MiB config and its envelope). */
    maxJsonBytes?: number;
    /** Largest uploaded file in bytes (default 100 MiB). */
    maxFileBytes?: number;
    /**
     * Largest event `POST /events` takes, in bytes of its JSON (default 64 KiB); larger → 413.
     * Every stream client receives each event: events carry ids, not documents.
     */
    maxEventBytes?: number;
    /**
     * Bytes an event-stream client (SSE or WebSocket) may fall behind before it is cut off
     * (default 1 MiB); it reconnects with the last id it saw and gets what it missed from the
     * history, or resynchronises.
     */
    maxQueuedEventBytes?: number;
    /** Bytes of events the history keeps at most (default 8 MiB), besides `eventHistory`. */
    maxEventHistoryBytes?: number;
  };
  /** Seconds between heartbeats on the event stream (default 15). */
  heartbeatSeconds?: number;
  /**
   * How many recent events the server remembers so that a stream client reconnecting with the
   * last id it saw (`Last-Event-ID`) gets what it missed (default 1000; 0: none).
   */
  eventHistory?: number;
  /**
   * The runtime's WebSocket upgrade (Hono's helper): with it, `GET /events` with
   * `Upgrade: websocket` streams over a WebSocket. `upgradeWebSocket` from `@hono/node-server`
   * (served by `serveApp`), `hono/deno`, `hono/bun` (give Bun.serve its `websocket` too), or
   * `botknobs/cloudflare` on Workers.
   */
  // biome-ignore lint/suspicious/noExplicitAny: each runtime's helper has its own socket type.
  upgradeWebSocket?: UpgradeWebSocket<any, any, any>;
  /**
   * The clock (ms) of `GET /bots`'s settle window over an eventually consistent registry (a
   * revision is served as complete only `registry.visibilityLagMs` after it was first seen).
   * Default `Date.now`.
   */
  now?: () => number;
}

/**
 * The default JSON body limit: 1 MiB of config plus room for the rest of the body.
 * @example
 * createApp({ registry, limits: { maxJsonBytes: DEFAULT_MAX_JSON_BYTES * 4 } });
 */
export const DEFAULT_MAX_JSON_BYTES: number = 1024 * 1024 + 64 * 1024;
/**
 * The default upload limit (100 MiB).
 * @example
 * createApp({ registry, knowledge, limits: { maxFileBytes: 10 * DEFAULT_MAX_FILE_BYTES } });
 */
export const DEFAULT_MAX_FILE_BYTES: number = 100 * 1024 * 1024;
/**
 * The default limits of the event stream: one event (64 KiB), one client's backlog (1 MiB), the
 * history (8 MiB).
 * @example
 * createApp({ registry, eventBus, limits: { maxEventBytes: EVENT_LIMITS.maxEventBytes * 2 } });
 */
export const EVENT_LIMITS: {
  readonly maxEventBytes: number;
  readonly maxQueuedEventBytes: number;
  readonly maxEventHistoryBytes: number;
} = {
  maxEventBytes: 64 * 1024,
  maxQueuedEventBytes: 1024 * 1024,
  maxEventHistoryBytes: 8 * 1024 * 1024,
};

const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$)/i;

/**
 * Refuses dot segments (`/../`, `/%2e%2e/`) and backslashes in the raw request target where the
 * runtime adapter passes it (a {@link RawRequest}: `botknobs/node`'s `serveApp` does): URL parsing
 * would otherwise resolve them into another route before the app sees the request.
 */
const rejectDotSegments: MiddlewareHandler = (c, next) => {
  const raw = rawRequest(c)?.target;
  if (typeof raw === "string" && /[.%\\]/.test(raw)) {
    const path = raw.split(/[?#]/, 1)[0] as string;
    if (DOT_SEGMENT.test(path) || path.includes("\\"))
      throw badInput("path", "dot segments (. or ..) and backslashes are not allowed");
  }
  // Not async: one promise less on every request.
  return next();
};

/**
 * Builds the API.
 * @example
 * import { serveApp } from "botknobs/node";
 * const bus = new InMemoryEventBus();
 * const app = createApp({ registry: new InMemoryBackend({ eventBus: bus }), eventBus: bus, auth: { tokens: ["s3cret"] } });
 * await serveApp(app, { port: 8787 }); // Node
 * // Workers: export default { fetch: app.fetch };
 */
export function createApp(options: AppOptions): Hono {
  const historySize = options.eventHistory ?? 1000;
  const ctx: ServerContext = {
    registry: options.registry,
    knowledge: options.knowledge ?? options.ingestion?.source,
    rag: options.rag ?? options.ingestion?.destination,
    ingestion: options.ingestion,
    scheduler: options.ingestionScheduler,
    eventBus: options.eventBus,
    maxJsonBytes: options.limits?.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES,
    maxFileBytes: options.limits?.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    maxEventBytes: options.limits?.maxEventBytes ?? EVENT_LIMITS.maxEventBytes,
    maxQueuedBytes: options.limits?.maxQueuedEventBytes ?? EVENT_LIMITS.maxQueuedEventBytes,
    heartbeatMs: (options.heartbeatSeconds ?? 15) * 1000,
    upgradeWebSocket: options.upgradeWebSocket as UpgradeWebSocket | undefined,
    history:
      options.eventBus && historySize > 0
        ? new EventHistory(
            options.eventBus,
            historySize,
            options.limits?.maxEventHistoryBytes ?? EVENT_LIMITS.maxEventHistoryBytes,
          )
        : undefined,
    now: options.now ?? Date.now,
    protectedLabels: new Set(
      (options.protectedLabels ?? ["production"]).map((name) => checkLabelName(name)),
    ),
  };
  const app = new Hono();
  app.onError((error, c) => errorResponse(c, error));
  app.notFound((c) =>
    c.json(
      {
        error: {
          code: ApiErrorCode.NOT_FOUND,
          message: `No route for ${c.req.method} ${c.req.path}`,
        },
      },
      404,
    ),
  );
  app.use("*", rejectDotSegments);
  if (options.cors) {
    const { origins } = options.cors;
    app.use(
      "*",
      cors({
        origin: origins === "*" ? "*" : [...origins],
        allowMethods: ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"],
        allowHeaders: [
          "Authorization",
          "Content-Type",
          "If-Match",
          "If-None-Match",
          "If-Range",
          "Range",
        ],
        exposeHeaders: [
          "ETag",
          "Location",
          "Content-Range",
          "Accept-Ranges",
          "WWW-Authenticate",
          "Botknobs-Version",
          "Botknobs-Label",
        ],
        maxAge: 600,
      }),
    );
  }
  const served = options.console !== false;
  // Before the bearer check: the page must load to ask for a token (it holds no data).
  if (served) consoleRoutes(app);
  const auth = authEnabled(options.auth);
  if (auth) app.use("*", bearerAuth(options.auth as AuthOptions));

  const registry = registryRoutes(ctx);
  app.route("/bots", registry);
  app.route("/configs", registry);
  app.route("/audit", auditRoutes(ctx));
  app.route("/kb", knowledgeRoutes(ctx));
  app.route("/events", eventRoutes(ctx));
  let document: unknown;
  app.get("/openapi.json", (c) => {
    document ??= openApiDocument({ auth, console: served });
    return c.json(document);
  });
  return app;
}
