/**
 * `eventHubRoutes`: the Worker's `/events` through an {@link EventHub} Durable Object, with the
 * wire format of `botknobs/server`'s own event routes (see `src/server/event-routes.ts`):
 *
 * - `GET` with `Upgrade: websocket`: the request goes to the hub as is, so the client's socket
 *   is held by the hub with the Hibernation API (an idle client costs nothing).
 * - `GET` (Server-Sent Events): the Worker opens one socket to the hub and writes its frames as
 *   SSE; it sends the SSE heartbeat and pings the hub (answered without waking it).
 * - `POST`: validates the event as `POST /events` does and publishes it through the hub.
 * @module
 */
import { Hono } from "hono";
import type { WebSocketLike } from "../../core/events/ws-bus.ts";
import type { ServerFrame } from "../../core/events/ws-frames.ts";
import {
  ApiError,
  ApiErrorCode,
  EVENT_LIMITS,
  offeredSubprotocols,
  readEvent,
  readSubscription,
  selectSubprotocol,
} from "../../server/index.ts";
import { DurableObjectEventBus, hubCaller } from "./durable-object-event-bus.ts";
import type { EventHubNamespace } from "./types.ts";

/** Options of {@link eventHubRoutes}. */
export interface EventHubRoutesOptions {
  /** The hub's binding (`env.EVENTS`). */
  namespace: EventHubNamespace;
  /** Which hub object (default `"events"`). */
  name?: string;
  /** Seconds between heartbeats on a Server-Sent Events stream (default 15). */
  heartbeatSeconds?: number;
}

/** Frames queued for a slow SSE client before it is cut off. */
const MAX_QUEUED = 10_000;

type Socket = WebSocketLike & { accept(): void };

/** The hub's frames as Server-Sent Events, until either side closes. */
function sseBridge(socket: Socket, heartbeatMs: number, signal: AbortSignal): ReadableStream {
  const encoder = new TextEncoder();
  let timer: ReturnType<typeof setInterval> | undefined;
  let open = true;
  const close = (): void => {
    open = false;
    clearInterval(timer);
    try {
      socket.close(1000, "client gone");
    } catch {
      // Closed already.
    }
  };
  signal.addEventListener("abort", close, { once: true });
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const send = (text: string): void => {
          if (!open) return;
          // A client this far behind is cut off (it reconnects and resumes or resynchronises).
          if ((controller.desiredSize ?? 0) < -MAX_QUEUED) {
            close();
            controller.error(new Error("event stream consumer too slow"));
            return;
          }
          controller.enqueue(encoder.encode(text));
        };
        const end = (): void => {
          if (!open) return;
          open = false;
          clearInterval(timer);
          // The hub went away: the client reconnects (with Last-Event-ID) and resumes.
          controller.close();
        };
        socket.addEventListener("message", (message: { data?: unknown }) => {
          let frame: ServerFrame;
          try {
            frame = JSON.parse(String(message.data)) as ServerFrame;
          } catch {
            return;
          }
          if (frame.kind === "event")
            send(`id: ${frame.event.event_id}\ndata: ${JSON.stringify(frame.event)}\n\n`);
          else if (frame.kind === "ready")
            send(
              `retry: 1000\n\nevent: ready\ndata: ${JSON.stringify({ topics: frame.topics, resumed: frame.resumed === true })}\n\n`,
            );
          else if (frame.kind === "error")
            send(`event: error\ndata: ${JSON.stringify(frame.error)}\n\n`);
        });
        socket.addEventListener("close", end);
        socket.addEventListener("error", end);
        timer = setInterval(() => {
          send(": ping\n\n");
          try {
            socket.send('{"kind":"ping"}');
          } catch {
            end();
          }
        }, heartbeatMs);
      },
      cancel: close,
    },
    { highWaterMark: 1 },
  );
}

/**
 * The `/events` routes over the hub. Mount them before the app, behind the same auth.
 * @example
 * root.route("/events", eventHubRoutes({ namespace: env.EVENTS }));
 * root.route("/", app);
 */
export function eventHubRoutes(options: EventHubRoutesOptions): Hono {
  const call = hubCaller(options.namespace, options.name);
  const heartbeatMs = (options.heartbeatSeconds ?? 15) * 1000;
  const r = new Hono();

  r.get("/", async (c) => {
    // Checked as the Node server checks it; the hub reads the topics from the same URL.
    const { lastEventId } = readSubscription(c);
    const url = new URL(c.req.url);
    if (lastEventId !== undefined) url.searchParams.set("last_event_id", lastEventId);
    const upgrade = c.req.header("upgrade")?.toLowerCase() === "websocket";
    // The client's own socket (WebSocket) or the Worker's (SSE): either way the hub holds it.
    const response = await call(new Request(url, { headers: { upgrade: "websocket" } }));
    if (response.status !== 101) {
      const body = (await response.json().catch(() => null)) as {
        error?: { code?: string; message?: string };
      } | null;
      throw new ApiError(
        response.status >= 400 && response.status < 500 ? response.status : 502,
        (body?.error?.code as ApiErrorCode | undefined) ?? ApiErrorCode.ADAPTER,
        body?.error?.message ?? `the event hub answered ${response.status}`,
      );
    }
    if (upgrade) {
      // A client that offered subprotocols (a browser's `botknobs.token.<t>`) needs one named.
      const selected = selectSubprotocol(
        offeredSubprotocols(c.req.header("sec-websocket-protocol")),
      );
      if (selected === null) return response;
      return new Response(null, {
        status: 101,
        webSocket: (response as Response & { webSocket?: unknown }).webSocket,
        headers: { "Sec-WebSocket-Protocol": selected },
      } as ResponseInit);
    }
    const socket = (response as Response & { webSocket?: Socket }).webSocket as Socket;
    socket.accept();
    return c.body(sseBridge(socket, heartbeatMs, c.req.raw.signal), 200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      "X-Accel-Buffering": "no",
    });
  });

  r.post("/", async (c) => {
    const event = await readEvent(c, EVENT_LIMITS.maxEventBytes);
    const bus = new DurableObjectEventBus({
      namespace: options.namespace,
      ...(options.name !== undefined ? { name: options.name } : {}),
    });
    await bus.publish(event.topic, event);
    return c.json({ event_id: event.eventId, topic: event.topic }, 202);
  });

  return r;
}
