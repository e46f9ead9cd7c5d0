/**
 * {@link EventHub}: the Durable Object behind `DurableObjectEventBus` and the Worker's `/events`.
 * It speaks the protocol of a `botknobs/server` event stream, so any WebSocket client of
 * `/events` can talk to it:
 *
 * - `GET` with `Upgrade: websocket` (`?topics=registry:*,kb:*`, `?last_event_id=`) subscribes.
 *   The socket is accepted with the WebSocket Hibernation API (`ctx.acceptWebSocket`, the globs
 *   in its attachment), so an idle subscriber costs nothing: the object may be evicted from
 *   memory while the socket stays open. Client pings (`{"kind":"ping"}`) are answered by the
 *   runtime's auto-response without waking it. Frames are `botknobs/events`' `ServerFrame`.
 * - `POST` with an event (`Event.toDict()` plus `topic`) publishes: the event is written to the
 *   replay window in the object's storage and sent to every socket whose globs match.
 *
 * The replay window (the last {@link REPLAY_WINDOW} events, at most {@link REPLAY_WINDOW_BYTES}
 * of them, in storage and in memory) lets a client that reconnects with the last event id it saw
 * get what it missed. When that id was published by an earlier run of the object (the object
 * restarted since), the missed events still come, but the `ready` frame says `resumed: false`,
 * so the client resynchronises: while the object was down, publishers' `POST`s failed and those
 * events are in no window.
 * @module
 */
import type {
  WebSocketRequestResponsePair as AutoResponse,
  DurableObjectState,
  WebSocket as HubSocket,
  WebSocketPair as Pair,
} from "@cloudflare/workers-types/index.ts";
import { errorMessage } from "../../core/errors.ts";
import { Event, type EventDict } from "../../core/events/event.ts";
import { matchTopic } from "../../core/events/glob.ts";
import type { ServerFrame } from "../../core/events/ws-frames.ts";

/** How many recent events the hub keeps for reconnecting clients (at most). */
export const REPLAY_WINDOW = 1000;
/** How many bytes of events (their JSON) the window holds at most: it lives in memory too. */
export const REPLAY_WINDOW_BYTES: number = 8 * 1024 * 1024;
/** The largest event body the hub takes, in bytes (1 MiB of payload and its envelope). */
export const MAX_EVENT_BYTES: number = 1024 * 1024 + 64 * 1024;
const MAX_GLOBS = 32;
/** Storage keys of the window: `w:` and a zero-padded sequence number, so they list in order. */
const KEY_PREFIX = "w:";
/** The storage key of the current run's id. */
const RUN_KEY = "run";
/** Storage deletes take at most 128 keys. */
const DELETE_BATCH = 128;

/** One event of the window, as stored: the event and the run of the hub that published it. */
interface Stored {
  event: EventDict;
  run: string;
}

interface WindowEntry extends Stored {
  key: string;
  /** The length of the event's JSON. */
  bytes: number;
}

/** workerd's globals (the repository's own lib is the DOM's). */
const workerd = globalThis as unknown as {
  WebSocketPair: typeof Pair;
  WebSocketRequestResponsePair: typeof AutoResponse;
};

/** What each socket carries in its attachment (it survives hibernation). */
interface Attachment {
  globs: string[];
}

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });

const refuse = (status: number, code: string, message: string): Response =>
  json(status, { error: { code, message } });

/** The topic globs of `?topics=` (default every topic), or null when out of bounds. */
function topicGlobs(topics: string | null): string[] | null {
  const globs = (topics ?? "*")
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");
  if (globs.length === 0 || globs.length > MAX_GLOBS || globs.some((g) => g.length > 256))
    return null;
  return globs;
}

/**
 * The event hub Durable Object. Export it from the Worker and bind it (`wrangler.toml`):
 * ```toml
 * [[durable_objects.bindings]]
 * name = "EVENTS"
 * class_name = "EventHub"
 * [[migrations]]
 * tag = "v1"
 * new_sqlite_classes = ["EventHub"]
 * ```
 * @example
 * export { EventHub } from "botknobs/cloudflare";
 */
export class EventHub {
  readonly #ctx: DurableObjectState;
  /**
   * This run of the object: events it published are resumable without a resynchronisation. A
   * wake from hibernation (sockets still open) continues the stored run; a start without open
   * sockets (a restart, which closes them, or a wake after every subscriber left) begins a new
   * one, so clients reconnecting across it resynchronise.
   */
  #run = "";
  #window: WindowEntry[] = [];
  #windowBytes = 0;
  #seq = 0;
  /** Each socket's globs, read from its attachment once per run. */
  readonly #globs = new WeakMap<HubSocket, string[]>();

  constructor(ctx: DurableObjectState, _env?: unknown) {
    this.#ctx = ctx;
    ctx.setWebSocketAutoResponse(
      new workerd.WebSocketRequestResponsePair(
        JSON.stringify({ kind: "ping" }),
        JSON.stringify({ kind: "pong" }),
      ),
    );
    void ctx.blockConcurrencyWhile(async () => {
      const run = await ctx.storage.get<string>(RUN_KEY);
      if (run !== undefined && ctx.getWebSockets().length > 0) this.#run = run;
      else {
        this.#run = crypto.randomUUID();
        await ctx.storage.put(RUN_KEY, this.#run);
      }
      const stored = await ctx.storage.list<Stored>({ prefix: KEY_PREFIX });
      for (const [key, value] of stored) this.#remember(key, value, JSON.stringify(value.event));
      const last = this.#window.at(-1);
      this.#seq = last ? Number(last.key.slice(KEY_PREFIX.length)) + 1 : 0;
    });
  }

  /** `GET` + `Upgrade: websocket` subscribes; `POST` publishes. */
  async fetch(request: Request): Promise<Response> {
    if (request.method === "POST") return this.#publish(request);
    if (request.method !== "GET")
      return refuse(405, "METHOD_NOT_ALLOWED", "The event hub takes GET (subscribe) and POST");
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket")
      return refuse(426, "VALIDATION", "Subscribe with a WebSocket (Upgrade: websocket)");
    const url = new URL(request.url);
    const globs = topicGlobs(url.searchParams.get("topics"));
    if (!globs)
      return refuse(
        400,
        "VALIDATION",
        `Invalid topics: 1–${MAX_GLOBS} globs of at most 256 characters`,
      );
    const lastEventId =
      request.headers.get("last-event-id") ?? url.searchParams.get("last_event_id");
    const pair = new workerd.WebSocketPair();
    const server = pair[1];
    this.#ctx.acceptWebSocket(server, ["subscriber"]);
    server.serializeAttachment({ globs } satisfies Attachment);
    this.#globs.set(server, globs);
    // Synchronous from here on: no publish can slip between the replay and the ready frame.
    const resumed = lastEventId ? this.#replay(server, globs, lastEventId.slice(0, 256)) : false;
    this.#send(server, { kind: "ready", topics: globs, resumed });
    return new Response(null, { status: 101, webSocket: pair[0] } as ResponseInit);
  }

  /** Sends the events after `lastEventId`; true when that event was published by this run. */
  #replay(socket: HubSocket, globs: string[], lastEventId: string): boolean {
    let i = this.#window.length - 1;
    while (i >= 0 && this.#window[i]?.event.event_id !== lastEventId) i--;
    if (i < 0) return false;
    const from = this.#window[i] as WindowEntry;
    for (const entry of this.#window.slice(i + 1))
      if (globs.some((g) => matchTopic(g, entry.event.topic)))
        this.#send(socket, { kind: "event", event: entry.event });
    return from.run === this.#run;
  }

  async #publish(request: Request): Promise<Response> {
    const length = Number(request.headers.get("content-length") ?? 0);
    if (length > MAX_EVENT_BYTES)
      return refuse(413, "PAYLOAD_TOO_LARGE", `An event is at most ${MAX_EVENT_BYTES} bytes`);
    const text = await request.text();
    if (text.length > MAX_EVENT_BYTES)
      return refuse(413, "PAYLOAD_TOO_LARGE", `An event is at most ${MAX_EVENT_BYTES} bytes`);
    let event: EventDict;
    try {
      const body = JSON.parse(text) as EventDict;
      // Validates the shape, and routes by the body's `topic` (the publish topic).
      event = Event.fromDict(body).toDict();
      event.topic = body.topic;
    } catch (error) {
      return refuse(400, "VALIDATION", `Not an event: ${errorMessage(error)}`);
    }
    const key = `${KEY_PREFIX}${String(this.#seq++).padStart(16, "0")}`;
    const stored: Stored = { event, run: this.#run };
    const encoded = JSON.stringify(event);
    this.#remember(key, stored, encoded);
    // The output gate holds the frames below until this write is durable.
    const written = this.#ctx.storage.put(key, stored);
    const frame = `{"kind":"event","event":${encoded}}`;
    for (const socket of this.#ctx.getWebSockets("subscriber"))
      if (this.#socketGlobs(socket).some((g) => matchTopic(g, event.topic)))
        this.#sendText(socket, frame);
    await written;
    await this.#trim();
    return json(202, { event_id: event.event_id, topic: event.topic });
  }

  #remember(key: string, stored: Stored, json: string): void {
    this.#window.push({ key, ...stored, bytes: json.length });
    this.#windowBytes += json.length;
  }

  /** Drops the oldest events beyond the window (by count and by bytes), from memory and storage. */
  async #trim(): Promise<void> {
    let excess = Math.max(0, this.#window.length - REPLAY_WINDOW);
    let bytes = this.#windowBytes;
    for (let i = 0; i < excess; i++) bytes -= this.#window[i]?.bytes ?? 0;
    // The newest event always stays.
    while (bytes > REPLAY_WINDOW_BYTES && excess < this.#window.length - 1)
      bytes -= this.#window[excess++]?.bytes ?? 0;
    if (excess === 0) return;
    this.#windowBytes = bytes;
    const dropped = this.#window.splice(0, excess).map((e) => e.key);
    for (let i = 0; i < dropped.length; i += DELETE_BATCH)
      await this.#ctx.storage.delete(dropped.slice(i, i + DELETE_BATCH));
  }

  #socketGlobs(socket: HubSocket): string[] {
    let globs = this.#globs.get(socket);
    if (!globs) {
      globs = (socket.deserializeAttachment() as Attachment | null)?.globs ?? [];
      this.#globs.set(socket, globs);
    }
    return globs;
  }

  #send(socket: HubSocket, frame: ServerFrame): void {
    this.#sendText(socket, JSON.stringify(frame));
  }

  #sendText(socket: HubSocket, text: string): void {
    try {
      socket.send(text);
    } catch {
      // Closing: its webSocketClose handler runs next.
    }
  }

  /** Hibernation API: a message the auto-response did not answer. */
  webSocketMessage(socket: HubSocket, message: string | ArrayBuffer): void {
    let kind: unknown;
    try {
      kind = (JSON.parse(String(message)) as { kind?: unknown } | null)?.kind;
    } catch {
      kind = undefined;
    }
    this.#send(
      socket,
      kind === "ping"
        ? { kind: "pong" }
        : {
            kind: "error",
            error: {
              code: "VALIDATION",
              message: 'Clients send only {"kind":"ping"}; publish with POST',
            },
          },
    );
  }

  /** Hibernation API: completes the closing handshake. */
  webSocketClose(socket: HubSocket, code: number, reason: string): void {
    try {
      socket.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // Already closed.
    }
  }

  /** Hibernation API: a failed socket is closed. */
  webSocketError(socket: HubSocket): void {
    this.webSocketClose(socket, 1011, "error");
  }
}
