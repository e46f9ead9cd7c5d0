/**
 * The event stream: `GET /events` forwards every event of the server's bus as Server-Sent
 * Events (optionally only topics matching `?topics=registry:*,knowledge:*`), with heartbeats;
 * `POST /events` publishes one (what `SSEEventBus.publish` calls).
 *
 * Wire format, one frame per event:
 * ```
 * id: <event_id>
 * data: {"type":"updated","topic":"registry:bots","payload":{"bot_id":"x","version":2},…}
 * ```
 * After subscribing, the server sends `event: ready` (its `data` lists the topics); heartbeats
 * are comment lines (`: ping`). No history is kept: a client that reconnects must resynchronise.
 * @module
 */
import { Hono } from "hono";
import { UnsupportedError, ValidationError } from "../core/errors.ts";
import { Event } from "../core/events/event.ts";
import type { EventBus, Subscription } from "../core/events/types.ts";
import { parseWith } from "../core/validate.ts";
import { readJson } from "./body.ts";
import { query, type ServerContext } from "./context.ts";
import { eventSchema, eventsQuery } from "./schemas.ts";

// A client this many events behind is cut off (it reconnects and resynchronises) rather than
// letting its queue grow without bound.
const MAX_QUEUED = 10_000;
const MAX_GLOBS = 32;

function topicGlobs(topics: string | undefined): string[] {
  const globs = (topics ?? "*")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
  if (globs.length === 0 || globs.length > MAX_GLOBS || globs.some((g) => g.length > 256)) {
    throw new ValidationError(`Invalid topics: 1–${MAX_GLOBS} globs of at most 256 characters`, [
      { path: ["query", "topics"], message: `1–${MAX_GLOBS} globs of at most 256 characters` },
    ]);
  }
  return globs;
}

/** Remembers the last `size` ids: one event matching two globs is sent once. */
function recentIds(size: number): (id: string) => boolean {
  const seen = new Set<string>();
  return (id) => {
    if (seen.has(id)) return false;
    seen.add(id);
    if (seen.size > size) seen.delete(seen.values().next().value as string);
    return true;
  };
}

function sseStream(bus: EventBus, globs: string[], heartbeatMs: number, signal: AbortSignal) {
  const encoder = new TextEncoder();
  const subscriptions: Subscription[] = [];
  let timer: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  const cleanup = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    for (const s of subscriptions.splice(0)) void Promise.resolve(s.cancel()).catch(() => {});
  };
  signal.addEventListener("abort", cleanup, { once: true });
  return new ReadableStream<Uint8Array>(
    {
      async start(controller) {
        const send = (text: string): void => {
          if (closed) return;
          if ((controller.desiredSize ?? 0) < -MAX_QUEUED) {
            cleanup();
            controller.error(new Error("event stream consumer too slow"));
            return;
          }
          controller.enqueue(encoder.encode(text));
        };
        const fresh = globs.length > 1 ? recentIds(4096) : () => true;
        const forward = (event: Event): void => {
          if (fresh(event.eventId))
            send(`id: ${event.eventId}\ndata: ${JSON.stringify(event.toDict())}\n\n`);
        };
        for (const glob of globs) {
          const sub = await bus.subscribe(glob, forward, { pattern: glob });
          if (closed) void sub.cancel();
          else subscriptions.push(sub);
        }
        send(`retry: 1000\n\nevent: ready\ndata: ${JSON.stringify({ topics: globs })}\n\n`);
        timer = setInterval(() => send(": ping\n\n"), heartbeatMs);
      },
      cancel: cleanup,
    },
    { highWaterMark: 1 },
  );
}

/**
 * The event routes, to mount at `/events`. Without an event bus they answer 501.
 * @example
 * app.route("/events", eventRoutes(ctx));
 */
export function eventRoutes(ctx: ServerContext): Hono {
  const r = new Hono();
  const bus = ctx.eventBus;
  if (!bus) {
    r.all("*", () => {
      throw new UnsupportedError("This server has no event bus configured");
    });
    return r;
  }

  r.get("/", (c) => {
    const globs = topicGlobs(query(c, eventsQuery).topics);
    const body = sseStream(bus, globs, ctx.heartbeatMs, c.req.raw.signal);
    return c.body(body, 200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      "X-Accel-Buffering": "no",
    });
  });

  r.post("/", async (c) => {
    const input = parseWith(eventSchema, await readJson(c, ctx.maxJsonBytes), "body");
    const event = new Event({
      type: input.type,
      topic: input.topic,
      payload: input.payload ?? {},
      metadata: input.metadata ?? {},
      source: input.source ?? null,
      correlationId: input.correlation_id ?? null,
      ...(input.timestamp !== undefined ? { timestamp: new Date(input.timestamp) } : {}),
      ...(input.event_id !== undefined ? { eventId: input.event_id } : {}),
    });
    await bus.publish(input.topic, event);
    return c.json({ event_id: event.eventId, topic: input.topic }, 202);
  });

  return r;
}
