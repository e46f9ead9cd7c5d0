/**
 * The botknobs Worker: the HTTP API (`botknobs/server`) over the stores of `worker/bindings.ts`,
 * its `/events` (Server-Sent Events or WebSocket) through the `EventHub` Durable Object, and a
 * cron trigger that polls the registry (POLLING mode) and announces changes through the hub.
 *
 * Without `BOTKNOBS_TOKENS` it fails closed: reads only (403 on anything else, naming the
 * variables), unless the deploy says it is public on purpose (`BOTKNOBS_PUBLIC=1`).
 *
 * Every registry or knowledge event of an isolate is published to the hub, so subscribers in
 * other isolates (a `DurableObjectEventBus`, or HTTP clients of `/events`) hear of it: a `PUT`
 * handled here invalidates the bots that a `HotReloadManager` on such a bus keeps cached.
 */
import type { ExecutionContext, ScheduledController } from "@cloudflare/workers-types/index.ts";
import { Hono } from "hono";
import { DurableObjectEventBus, eventHubRoutes } from "../src/adapters/cloudflare/index.ts";
import { seedDemo } from "../src/cli/seed.ts";
import { NotFoundError } from "../src/core/errors.ts";
import { RegistryPoller } from "../src/core/reload/poller.ts";
import {
  ApiErrorCode,
  bearerAuth,
  createAppOver,
  errorResponse,
  type ServedApp,
} from "../src/server/index.ts";
import { type Env, stores } from "./bindings.ts";
import { runnerScheduler } from "./ingest-scheduler.ts";

export { EventHub } from "../src/adapters/cloudflare/index.ts";
export type { Env } from "./bindings.ts";
export { IngestionRunner } from "./ingestion-runner.ts";

/** One isolate's services, built on its first request (bindings come with it). */
interface Isolate {
  /** No tokens and not public (`BOTKNOBS_PUBLIC`): everything but a read is refused. */
  readOnly: boolean;
  services: ServedApp;
  events: Hono;
  hub: DurableObjectEventBus;
  poller: RegistryPoller | undefined;
  /** The demo seed (`BOTKNOBS_SEED_DEMO=1`, what `npm run dev` sets), awaited before serving. */
  seeded: Promise<unknown> | undefined;
}

const list = (value: string | undefined): string[] =>
  (value ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);

/** Per bindings object: one per isolate in production (tests may pass another env). */
const isolates = new WeakMap<Env, Isolate>();

function isolateFor(env: Env): Isolate {
  let state = isolates.get(env);
  if (!state) {
    state = build(env);
    isolates.set(env, state);
  }
  return state;
}

function build(env: Env): Isolate {
  const tokens = list(env.BOTKNOBS_TOKENS);
  const readOnlyTokens = list(env.BOTKNOBS_READ_TOKENS);
  const auth = tokens.length + readOnlyTokens.length > 0 ? { tokens, readOnlyTokens } : undefined;
  // The app's own /events would answer from this isolate's bus only: the hub's routes serve it.
  // Ingestion runs in each domain's IngestionRunner Durable Object, a batch per alarm.
  const services = createAppOver(stores(env), {
    eventStream: false,
    ingestionScheduler: runnerScheduler(env.INGEST),
    ...(auth ? { auth } : {}),
  });
  const hub = new DurableObjectEventBus({ namespace: env.EVENTS });
  // Runs inside the publishing request (the memory bus awaits its handlers), so the write's
  // event reaches the hub before the response. A failed publish is logged, not retried: when
  // the hub was down, subscribers resynchronise as they reconnect to its new run; any other
  // loss is caught only by polling (HYBRID mode, or the cron trigger's poll).
  void services.eventBus.subscribe(
    "*",
    (event) =>
      hub.publish(event.topic, event).catch((error: unknown) => {
        console.error(`botknobs: event ${event.eventId} not published to the hub`, error);
      }),
    { pattern: "*" },
  );
  const events = new Hono();
  events.onError((error, c) => errorResponse(c, error));
  // The same JSON 404 as the app's, for a method or path /events does not serve.
  events.notFound((c) =>
    errorResponse(c, new NotFoundError(`No route for ${c.req.method} ${c.req.path}`)),
  );
  if (auth) events.use("*", bearerAuth(auth));
  events.route("/events", eventHubRoutes({ namespace: env.EVENTS }));
  const readOnly = !auth && env.BOTKNOBS_PUBLIC !== "1";
  return { readOnly, services, events, hub, poller: undefined, seeded: undefined };
}

/** Seeds empty stores once per isolate; a failed seed is retried by the next request. */
function seed(state: Isolate): Promise<unknown> {
  state.seeded ??= seedDemo(state.services).catch((error: unknown) => {
    state.seeded = undefined;
    throw error;
  });
  return state.seeded;
}

const READ_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The answer to a write when the Worker has no tokens and was not declared public: a deployed
 * Worker fails closed rather than letting anyone write, delete, upload, publish or ingest.
 */
function refuseWrite(method: string): Response {
  const message =
    `${method} refused: this Worker has no BOTKNOBS_TOKENS, so it serves reads only. Set the ` +
    "secret BOTKNOBS_TOKENS (wrangler secret put BOTKNOBS_TOKENS) and send Authorization: " +
    "Bearer <token>, or set the variable BOTKNOBS_PUBLIC=1 to let anyone write on purpose";
  return Response.json({ error: { code: ApiErrorCode.FORBIDDEN, message } }, { status: 403 });
}

const worker: {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response>;
  scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void>;
} = {
  async fetch(request, env, ctx) {
    const isolate = isolateFor(env);
    if (isolate.readOnly && !READ_METHODS.has(request.method)) return refuseWrite(request.method);
    if (env.BOTKNOBS_SEED_DEMO === "1") await seed(isolate);
    const { pathname } = new URL(request.url);
    const events = pathname === "/events" || pathname.startsWith("/events/");
    const app = events ? isolate.events : isolate.services.app;
    return app.fetch(request, env, ctx as never);
  },

  /**
   * The cron trigger (`[triggers] crons` in `wrangler.toml`): one `RegistryPoller.pollOnce()`,
   * each change published through the hub on `registry:changes`. A fresh isolate first takes a
   * baseline (nothing to report); later runs in the same isolate report what changed since.
   */
  async scheduled(_controller, env) {
    const isolate = isolateFor(env);
    if (!isolate.poller) {
      isolate.poller = new RegistryPoller({
        backend: isolate.services.registry,
        eventBus: isolate.hub,
      });
      await isolate.poller.snapshot();
      return;
    }
    await isolate.poller.pollOnce();
  },
};

export default worker;
