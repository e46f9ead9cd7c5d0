/**
 * {@link WebSocketEventBus}: an `EventBus` over a `botknobs/server` app's `/events` carried by a
 * WebSocket (frames: {@link ServerFrame}); it publishes with `POST /events`.
 * @module
 */
import { AdapterError, UnsupportedError } from "../errors.ts";
import type { EventDict } from "./event.ts";
import { RemoteEventBus, type RemoteEventBusOptions, type StreamCallbacks } from "./remote-bus.ts";
import type { ServerFrame } from "./ws-frames.ts";
import { EVENTS_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from "./ws-subprotocol.ts";

/** The part of the WebSocket API the bus uses: browsers, Deno, Bun, workerd and Node's `ws` have it. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: "open" | "message" | "close" | "error",
    // biome-ignore lint/suspicious/noExplicitAny: each runtime has its own event classes.
    listener: (event: any) => void,
  ): void;
}

/**
 * Opens a client socket to `url` (`ws:` or `wss:`), sending `headers` with the handshake.
 * @example
 * import { WebSocket } from "ws"; // Node 20, which has no global WebSocket
 * const connect: WebSocketConnect = (url, headers) => new WebSocket(url, { headers });
 */
export type WebSocketConnect = (
  url: string,
  headers: Record<string, string>,
) => WebSocketLike | Promise<WebSocketLike>;

/** Options of {@link WebSocketEventBus}. */
export interface WebSocketEventBusOptions extends RemoteEventBusOptions {
  /**
   * Opens the socket (default: the global `WebSocket`, with the auth header where the runtime
   * lets a client send headers: Deno, Bun and Node 22+ do, browsers do not).
   */
  connect?: WebSocketConnect;
}

const OPEN = 1;

/**
 * The global `WebSocket`. Headers go as a second argument where the runtime takes them (Deno,
 * Bun, Node 22+); a browser's takes none, so a bearer token goes as the subprotocol
 * `botknobs.token.<t>` beside `botknobs.events` (what `botknobs/server` and the Worker accept).
 */
const globalConnect: WebSocketConnect = (url, headers) => {
  const Socket = (globalThis as { WebSocket?: new (url: string, init?: unknown) => WebSocketLike })
    .WebSocket;
  if (!Socket) {
    throw new UnsupportedError(
      "This runtime has no global WebSocket (Node 20): pass `connect`, e.g. (url, headers) => new WebSocket(url, { headers }) with WebSocket from the `ws` package",
    );
  }
  if (Object.keys(headers).length === 0) return new Socket(url);
  const bearer = tokenProtocols(headers);
  if (bearer && isBrowser()) return new Socket(url, bearer);
  try {
    return new Socket(url, { headers });
  } catch (error) {
    if (bearer) return new Socket(url, bearer);
    throw new UnsupportedError(
      "This runtime's WebSocket cannot send headers (browsers cannot): give authToken as a bearer token (sent as the botknobs.token.<t> subprotocol), or use SSEEventBus, whose fetch can",
      { cause: error },
    );
  }
};

/** A page or a worker of one: its `WebSocket` takes subprotocols, never headers. */
const isBrowser = (): boolean =>
  typeof (globalThis as { document?: unknown }).document === "object" ||
  typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === "function";

/**
 * The subprotocols that carry headers made of a bearer token only (`[botknobs.events,
 * botknobs.token.<t>]`), or `undefined` (other headers, or a token a subprotocol cannot hold).
 */
function tokenProtocols(headers: Record<string, string>): string[] | undefined {
  const names = Object.keys(headers);
  if (names.length !== 1 || names[0]?.toLowerCase() !== "authorization") return undefined;
  const token = /^Bearer[ \t]+(\S+)$/i.exec(headers[names[0]] ?? "")?.[1];
  // A subprotocol is an RFC 7230 token: no separators such as "/", "=", ",".
  if (token === undefined || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(token)) return undefined;
  return [EVENTS_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`];
}

/**
 * A remote event bus over a WebSocket. Same behaviour as {@link SSEEventBus} (asynchronous
 * in-order delivery, reconnection with a `reconnected: true` notice, publishing by `POST`); the
 * server must have been given an `upgradeWebSocket` (else it answers 501).
 * @example
 * const bus = new WebSocketEventBus({ baseUrl: "https://bots.example.com", authToken: "s3cret" });
 * await bus.subscribe("registry:bots", (e) => console.log(e.type, e.payload.bot_id));
 */
export class WebSocketEventBus extends RemoteEventBus {
  protected readonly transport: string = "websocket";
  readonly #connect: WebSocketConnect;

  constructor(options: WebSocketEventBusOptions) {
    super(options);
    this.#connect = options.connect ?? globalConnect;
  }

  protected async stream(
    topics: string[],
    signal: AbortSignal,
    on: StreamCallbacks,
    lastEventId: string | undefined,
  ): Promise<void> {
    const url = this.streamUrl(topics, lastEventId).replace(/^http/i, "ws");
    const socket = await this.#connect(url, this.headers);
    await new Promise<void>((resolve, reject) => {
      // workerd hands over a socket that is open already (a fetch upgrade).
      let opened = socket.readyState === OPEN;
      let settled = false;
      const finish = (error?: unknown): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener("abort", abort);
        try {
          if (socket.readyState <= OPEN) socket.close(1000, "closing");
        } catch {
          // Already closing.
        }
        if (error === undefined) resolve();
        else reject(error);
      };
      const abort = (): void => finish(new AdapterError("websocket", `${url}: closed`));
      if (signal.aborted) return abort();
      signal.addEventListener("abort", abort, { once: true });
      socket.addEventListener("open", () => {
        opened = true;
        on.alive();
      });
      socket.addEventListener("message", (message: { data?: unknown }) => {
        on.alive();
        this.#frame(message.data, on);
      });
      socket.addEventListener("close", (event: { code?: number; reason?: string }) => {
        finish(
          opened
            ? undefined
            : new AdapterError(
                "websocket",
                `${url}: the WebSocket handshake failed (code ${event.code}${event.reason ? `, ${event.reason}` : ""}): a missing or wrong token, or a server without WebSocket support (SSEEventBus shows the HTTP status)`,
              ),
        );
      });
      socket.addEventListener("error", (event: { message?: string; error?: unknown }) => {
        const detail = event.message ?? (event.error as Error | undefined)?.message ?? "error";
        finish(new AdapterError("websocket", `${url}: ${detail}`, { cause: event.error }));
      });
    });
  }

  #frame(data: unknown, on: StreamCallbacks): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(typeof data === "string" ? data : "") as ServerFrame;
    } catch (error) {
      this.report(error, `bad frame on ${this.url}`);
      return;
    }
    switch (frame?.kind) {
      case "ready":
        on.ready(frame.resumed === true);
        return;
      case "event":
        on.event(frame.event as EventDict);
        return;
      case "ping":
      case "pong":
        return;
      case "error":
        this.report(
          new AdapterError("websocket", `${this.url}: ${frame.error?.message}`),
          "server error frame",
        );
        return;
      default:
        this.report(new AdapterError("websocket", "unknown frame"), `bad frame on ${this.url}`);
    }
  }
}
