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
import { type Context, Hono } from "hono";
import { UnsupportedError, ValidationError } from "../core/errors.ts";
import { Event, isEventId } from "../core/events/event.ts";
import type { EventBus } from "../core/events/types.ts";
import { parseWith, UNSAFE_TEXT } from "../core/validate.ts";
import { readJson } from "./body.ts";
import { header, query, type ServerContext } from "./context.ts";
import { ApiError, ApiErrorCode, badInput } from "./errors.ts";
import { sseFrame } from "./event-frames.ts";
import { eventSocket } from "./event-socket.ts";
import { EventTap, type Resume } from "./event-tap.ts";
import { eventSchema, eventsQuery } from "./schemas.ts";

const MAX_GLOBS = 32;

function topicGlobs(topics: string | undefined): string[] {
  const globs = (topics ?? "*")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
  if (
    globs.length === 0 ||
    globs.length > MAX_GLOBS ||
    globs.some((g) => g.length > 256 || UNSAFE_TEXT.test(g))
  ) {
    const rule = `1–${MAX_GLOBS} globs of at most 256 characters, without control, bidirectional-control or line-separator characters`;
    throw new ValidationError(`Invalid topics: ${rule}`, [
      { path: ["query", "topics"], message: rule },
    ]);
  }
  return globs;
}

/**
 * The error that cuts a slow client off. Its code is the one Node gives a stream closed early, so
 * `@hono/node-server` takes it for the disconnect it is and logs one line, not a stack per client.
 */
function tooSlow(): Error {
  return Object.assign(new Error("event stream consumer too slow"), {
    code: "ERR_STREAM_PREMATURE_CLOSE",
  });
}

const encoder = new TextEncoder();
const PING: Uint8Array = encoder.encode(": ping\n\n");

/**
 * One client's stream. Its queue (what the client has not read yet) is bounded in bytes: a
 * client that falls `maxQueuedBytes` behind is cut off, its queue dropped at once, and it resumes
 * later with `Last-Event-ID` (or resynchronises). Frames are shared between clients.
 */
function sseStream(
  bus: EventBus,
  globs: string[],
  ctx: ServerContext,
  signal: AbortSignal,
  resume: Resume | undefined,
) {
  let tap: EventTap | undefined;
  const stop = (): void => tap?.stop();
  signal.addEventListener("abort", stop, { once: true });
  return new ReadableStream<Uint8Array>(
    {
      async start(controller) {
        const send = (frame: Uint8Array): void => {
          if (tap?.stopped) return;
          // With a high-water mark of 0, -desiredSize is the bytes queued for this client.
          const queued = -(controller.desiredSize ?? 0);
          if (queued > 0 && queued + frame.byteLength > ctx.maxQueuedBytes) {
            stop();
            controller.error(tooSlow());
            return;
          }
          controller.enqueue(frame);
        };
        tap = new EventTap(bus, globs, ctx.heartbeatMs, {
          event: (event) => send(sseFrame(event)),
          heartbeat: () => send(PING),
        });
        if (signal.aborted) stop();
        const resumed = await tap.start(resume);
        send(
          encoder.encode(
            `retry: 1000\n\nevent: ready\ndata: ${JSON.stringify({ topics: globs, resumed })}\n\n`,
          ),
        );
      },
      cancel: stop,
    },
    { highWaterMark: 0, size: (chunk) => chunk.byteLength },
  );
}

/** What a `GET /events` asks for: its topic globs and the last event it saw, if any. */
export interface Subscription {
  /** The `topics` query parameter as globs (`["*"]` when absent). */
  globs: string[];
  /** `Last-Event-ID` (sent by `EventSource` on reconnect) or `?last_event_id=`, checked. */
  lastEventId: string | undefined;
}

/**
 * Reads a `GET /events` request: topic globs and the id to resume after, validated (400 on a
 * bad id). Every server of the event stream reads it so, the Worker's Durable Object routes too.
 * @example
 * const { globs, lastEventId } = readSubscription(c);
 */
export function readSubscription(c: Context): Subscription {
  const q = query(c, eventsQuery);
  // EventSource sends Last-Event-ID when it reconnects; WebSocket clients use the query.
  const lastEventId = header(c, "last-event-id") ?? q.last_event_id;
  if (lastEventId !== undefined && !isEventId(lastEventId))
    throw badInput("headers", "Last-Event-ID must be 1–128 characters of [A-Za-z0-9._:@-]");
  return { globs: topicGlobs(q.topics), lastEventId };
}

/**
 * Reads the body of `POST /events` into an {@link Event}: at most `limit` bytes (every client
 * receives each event; 413 beyond), checked against the event schema (400). The Worker's
 * Durable Object routes read theirs with it too.
 * @example
 * const event = await readEvent(c, EVENT_LIMITS.maxEventBytes);
 */
export async function readEvent(c: Context, limit: number): Promise<Event> {
  const input = parseWith(eventSchema, await readEventJson(c, limit), "body");
  return new Event({
    type: input.type,
    topic: input.topic,
    payload: input.payload ?? {},
    metadata: input.metadata ?? {},
    source: input.source ?? null,
    correlationId: input.correlation_id ?? null,
    ...(input.timestamp !== undefined ? { timestamp: new Date(input.timestamp) } : {}),
    ...(input.event_id !== undefined ? { eventId: input.event_id } : {}),
  });
}

async function readEventJson(c: Context, limit: number): Promise<unknown> {
  try {
    return await readJson(c, limit);
  } catch (error) {
    if (error instanceof ApiError && error.status === 413) {
      throw new ApiError(
        413,
        ApiErrorCode.PAYLOAD_TOO_LARGE,
        `Event exceeds the limit of ${limit} bytes (limits.maxEventBytes): events carry ids, not documents`,
      );
    }
    throw error;
  }
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
    const { globs, lastEventId } = readSubscription(c);
    // Recording starts with the first stream, so a client that later reconnects can resume.
    await ctx.history?.start();
    const resume = ctx.history && lastEventId ? { history: ctx.history, lastEventId } : undefined;
    if (header(c, "upgrade")?.toLowerCase() === "websocket") {
      if (!ctx.upgradeWebSocket) {
        throw new UnsupportedError(
          "This server does not serve WebSocket: read GET /events as Server-Sent Events",
        );
      }
      const upgrade = ctx.upgradeWebSocket(() => eventSocket(bus, globs, ctx, resume));
      const response = await upgrade(c, async () => {});
      // The helper declines what is not a WebSocket handshake it can take.
      if (!response) throw badInput("headers", "not a WebSocket handshake this server can take");
      return response;
    }
    const body = sseStream(bus, globs, ctx, c.req.raw.signal, resume);
    return c.body(body, 200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      "X-Accel-Buffering": "no",
    });
  });

  r.post("/", async (c) => {
    const event = await readEvent(c, ctx.maxEventBytes);
    await bus.publish(event.topic, event);
    return c.json({ event_id: event.eventId, topic: event.topic }, 202);
  });

  return r;
}
