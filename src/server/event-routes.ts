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
 * After subscribing, the server sends `event: ready` (its `data`: the topics, and `resumed`);
 * heartbeats are comment lines (`: ping`). A client reconnecting with `Last-Event-ID` (or
 * `?last_event_id=`) first gets the events it missed, when the server still remembers that id
 * (`resumed: true`); otherwise it must resynchronise.
 *
 * With `Upgrade: websocket` (and an `upgradeWebSocket` given to `createApp`) the same stream goes
 * over a WebSocket instead, as JSON frames (`botknobs/events`' `ServerFrame`); without one such a
 * request is answered 501.
 * @module
 */
import { Hono } from "hono";
import { UnsupportedError, ValidationError } from "../core/errors.ts";
import { Event } from "../core/events/event.ts";
import type { EventBus } from "../core/events/types.ts";
import { parseWith } from "../core/validate.ts";
import { readJson } from "./body.ts";
import { header, query, type ServerContext } from "./context.ts";
import { badInput } from "./errors.ts";
import { eventSocket } from "./event-socket.ts";
import { EventTap, type Resume } from "./event-tap.ts";
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

function sseStream(
  bus: EventBus,
  globs: string[],
  heartbeatMs: number,
  signal: AbortSignal,
  resume: Resume | undefined,
) {
  const encoder = new TextEncoder();
  let tap: EventTap | undefined;
  const stop = (): void => tap?.stop();
  signal.addEventListener("abort", stop, { once: true });
  return new ReadableStream<Uint8Array>(
    {
      async start(controller) {
        const send = (text: string): void => {
          if (tap?.stopped) return;
          if ((controller.desiredSize ?? 0) < -MAX_QUEUED) {
            stop();
            controller.error(new Error("event stream consumer too slow"));
            return;
          }
          controller.enqueue(encoder.encode(text));
        };
        tap = new EventTap(bus, globs, heartbeatMs, {
          event: (event) =>
            send(`id: ${event.eventId}\ndata: ${JSON.stringify(event.toDict())}\n\n`),
          heartbeat: () => send(": ping\n\n"),
        });
        if (signal.aborted) stop();
        const resumed = await tap.start(resume);
        send(
          `retry: 1000\n\nevent: ready\ndata: ${JSON.stringify({ topics: globs, resumed })}\n\n`,
        );
      },
      cancel: stop,
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
      throw new UnsupportedError(
        "This server serves no event stream (no eventBus): poll GET /bots with If-None-Match instead",
      );
    });
    return r;
  }

  r.get("/", async (c) => {
    const q = query(c, eventsQuery);
    const globs = topicGlobs(q.topics);
    // EventSource sends Last-Event-ID when it reconnects; WebSocket clients use the query.
    const lastEventId = header(c, "last-event-id")?.slice(0, 256) ?? q.last_event_id;
    // Recording starts with the first stream, so a client that later reconnects can resume.
    await ctx.history?.start();
    const resume = ctx.history && lastEventId ? { history: ctx.history, lastEventId } : undefined;
    if (header(c, "upgrade")?.toLowerCase() === "websocket") {
      if (!ctx.upgradeWebSocket) {
        throw new UnsupportedError(
          "This server does not serve WebSocket: read GET /events as Server-Sent Events",
        );
      }
      const upgrade = ctx.upgradeWebSocket(() => eventSocket(bus, globs, ctx.heartbeatMs, resume));
      const response = await upgrade(c, async () => {});
      // The helper declines what is not a WebSocket handshake it can take.
      if (!response) throw badInput("headers", "not a WebSocket handshake this server can take");
      return response;
    }
    const body = sseStream(bus, globs, ctx.heartbeatMs, c.req.raw.signal, resume);
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
