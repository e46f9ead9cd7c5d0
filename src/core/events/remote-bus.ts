/**
 * {@link RemoteEventBus}: what the event buses over a `botknobs/server` app's `/events` share —
 * the connection loop with backoff and reconnect notices, subscriptions, in-order delivery, and
 * publishing with `POST /events`. A subclass brings one transport: how to hold one connection
 * open (Server-Sent Events over `fetch`, or a WebSocket).
 * @module
 */
import { AdapterError, errorMessage, HttpError, ValidationError } from "../errors.ts";
import { httpAuthHeaders } from "../http/request.ts";
import { Event, type EventDict, isEventId } from "./event.ts";
import { SubscriptionTable } from "./subscriptions.ts";
import type {
  ErrorReporter,
  EventBus,
  EventBusCapabilities,
  EventHandler,
  SubscribeOptions,
  Subscription,
} from "./types.ts";
import { checkMaxEventBytes, publishBody } from "./wire.ts";

/** Options of every remote bus ({@link SSEEventBus}, {@link WebSocketEventBus}). */
export interface RemoteEventBusOptions {
  /** The server, e.g. `"https://api.example.com"`. */
  baseUrl: string;
  /** The events route (default `"/events"`). */
  path?: string;
  /** Topic globs the server filters on (default `["*"]`: every event). */
  topics?: string[];
  authToken?: string;
  /** A header name for `authToken`, or a whole `Authorization` value (`"Bearer token123"`). */
  authHeader?: string;
  /** Used by `publish` (and by the SSE stream). */
  fetch?: typeof fetch;
  /** Seconds a publish (and the first connection) may take (default 30). */
  timeout?: number;
  /** Seconds without a byte (the server sends heartbeats) before the stream counts as dead (default 45). */
  idleTimeout?: number;
  /** Backoff between reconnection attempts, in ms (default 250 doubling up to 10 000). */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Told about dropped connections, bad messages and throwing handlers. */
  onError?: ErrorReporter;
  /**
   * The largest event `publish` sends, in bytes of its JSON body (default 65 536, the server's
   * default `limits.maxEventBytes`; raise both together). Larger ones are refused before sending.
   */
  maxEventBytes?: number;
}

/** What a server's `POST /events` takes by default (`EVENT_LIMITS.maxEventBytes` of `botknobs/server`). */
const DEFAULT_MAX_EVENT_BYTES = 64 * 1024;

/** What a transport reports while one connection is open. */
export interface StreamCallbacks {
  /**
   * The server has subscribed (its `ready` message); `resumed`: it sent the events missed since
   * the `lastEventId` the stream was opened with.
   */
  ready(resumed: boolean): void;
  /** One event in the wire form. */
  event(dict: EventDict): void;
  /** Any bytes arrived (heartbeats included): the connection is alive. */
  alive(): void;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });

/**
 * The shared part of the remote buses. Delivery is asynchronous, in stream order. After a lost
 * connection the bus reconnects by itself (with backoff and jitter), naming the last event it
 * received: when the server still remembers it, the missed events simply arrive; otherwise every
 * subscription gets an `Event({ type: "custom", payload: { reconnected: true } })`, so caches and
 * hot reloaders can resynchronise what they may have missed.
 */
export abstract class RemoteEventBus implements EventBus {
  readonly capabilities: EventBusCapabilities;
  /** The events route, e.g. `https://api.example.com/events`. */
  readonly url: string;
  protected readonly options: RemoteEventBusOptions;
  protected readonly headers: Record<string, string>;
  protected readonly fetch: typeof fetch;
  protected readonly report: ErrorReporter;
  readonly #table = new SubscriptionTable();
  #ready: Promise<void> | null = null;
  #stop: AbortController | null = null;
  #delivery: Promise<void> = Promise.resolve();
  #reconnects = 0;
  #lastEventId: string | undefined;

  /** A short name of the transport, for errors and reconnect notices (`"sse"`, `"websocket"`). */
  protected abstract readonly transport: string;

  constructor(options: RemoteEventBusOptions) {
    if (typeof options?.baseUrl !== "string" || !/^https?:\/\//i.test(options.baseUrl)) {
      throw new ValidationError(
        `Invalid baseUrl ${JSON.stringify(options?.baseUrl)}: expected an http(s) URL`,
      );
    }
    const max = checkMaxEventBytes(options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES);
    this.capabilities = { delivery: "async", distributed: true, maxEventBytes: max };
    this.options = options;
    this.url = `${options.baseUrl.replace(/\/+$/, "")}/${(options.path ?? "/events").replace(/^\/+/, "")}`;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.headers = httpAuthHeaders(options);
    this.report = options.onError ?? (() => {});
  }

  /**
   * Holds one connection open: resolves when the server ends it, rejects when it fails or when
   * `signal` aborts (the bus closing, or no data for `idleTimeout`).
   */
  protected abstract stream(
    topics: string[],
    signal: AbortSignal,
    on: StreamCallbacks,
    lastEventId: string | undefined,
  ): Promise<void>;

  /** The stream's address: the topics, and the last event seen when resuming. */
  protected streamUrl(topics: string[], lastEventId: string | undefined): string {
    const resume =
      lastEventId === undefined ? "" : `&last_event_id=${encodeURIComponent(lastEventId)}`;
    return `${this.url}?topics=${encodeURIComponent(topics.join(","))}${resume}`;
  }

  /** How many times the stream was re-established after a loss. */
  get reconnects(): number {
    return this.#reconnects;
  }

  /** Opens the stream; resolves once the server has subscribed (its `ready` message). Idempotent. */
  connect(): Promise<void> {
    if (this.#ready) return this.#ready;
    const stop = new AbortController();
    this.#stop = stop;
    this.#ready = new Promise<void>((resolve, reject) => {
      void this.#run(stop.signal, resolve, reject);
    }).catch((error: unknown) => {
      if (this.#stop === stop) {
        this.#ready = null;
        this.#stop = null;
      }
      throw error;
    });
    return this.#ready;
  }

  /** Holds connections until closed: the first failure rejects `connect`, later ones reconnect. */
  async #run(
    signal: AbortSignal,
    resolve: () => void,
    reject: (e: unknown) => void,
  ): Promise<void> {
    const initial = this.options.reconnect?.initialDelayMs ?? 250;
    const max = this.options.reconnect?.maxDelayMs ?? 10_000;
    let connected = false;
    let delay = initial;
    while (!signal.aborted) {
      try {
        await this.#connection(signal, (resumed) => {
          delay = initial;
          if (!connected) {
            connected = true;
            resolve();
          } else {
            this.#reconnects++;
            // Nothing was missed when the server replayed everything since our last event.
            if (!resumed) this.#announceReconnect();
          }
        });
        if (!signal.aborted)
          throw new AdapterError(this.transport, `${this.url}: the server ended the stream`);
      } catch (error) {
        if (signal.aborted) break;
        if (!connected) {
          reject(error);
          return;
        }
        this.report(error, `event stream ${this.url}`);
      }
      // Jitter spreads reconnecting clients after a server restart.
      await sleep(delay * (0.5 + Math.random() / 2), signal);
      delay = Math.min(delay * 2, max);
    }
  }

  /** One connection, watched for silence: no data for `idleTimeout` aborts it. */
  async #connection(stop: AbortSignal, onReady: (resumed: boolean) => void): Promise<void> {
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    stop.addEventListener("abort", abort, { once: true });
    const idleMs = (this.options.idleTimeout ?? 45) * 1000;
    let idle = setTimeout(abort, Math.max(idleMs, (this.options.timeout ?? 30) * 1000));
    try {
      await this.stream(
        this.options.topics ?? ["*"],
        controller.signal,
        {
          ready: onReady,
          event: (dict) => this.#receive(dict),
          alive: () => {
            clearTimeout(idle);
            idle = setTimeout(abort, idleMs);
          },
        },
        this.#lastEventId,
      );
    } catch (error) {
      if (controller.signal.aborted && !stop.aborted) {
        throw new AdapterError(this.transport, `${this.url}: no data for ${idleMs / 1000} s`, {
          cause: error,
        });
      }
      throw error;
    } finally {
      clearTimeout(idle);
      stop.removeEventListener("abort", abort);
      controller.abort();
    }
  }

  #receive(dict: EventDict): void {
    let event: Event;
    try {
      event = Event.fromDict(dict);
    } catch (error) {
      this.report(error, `bad event on ${this.url}`);
      return;
    }
    // Only ids of the wire grammar can be named on reconnection (the server refuses others).
    if (isEventId(event.eventId)) this.#lastEventId = event.eventId;
    this.#deliver(() => this.#table.dispatch(event.topic, event, this.report));
  }

  /** Runs deliveries one after another, in stream order. */
  #deliver(task: () => Promise<void>): void {
    this.#delivery = this.#delivery.then(task).catch((e: unknown) => this.report(e, "delivery"));
  }

  #announceReconnect(): void {
    this.#deliver(() => this.#table.announceReconnect(`${this.transport}-bus`, this.report));
  }

  /** Stops the stream and drops every subscription (`connect()` opens a new one). */
  async close(): Promise<void> {
    this.#stop?.abort();
    this.#stop = null;
    this.#ready = null;
    this.#table.clear();
  }

  /** `POST /events`; the event reaches subscribers (here too) through the stream. */
  async publish(topic: string, event: Event): Promise<void> {
    const url = this.url;
    const body = publishBody(topic, event, this.capabilities.maxEventBytes as number);
    let response: Response;
    try {
      response = await this.fetch(url, {
        method: "POST",
        headers: { ...this.headers, "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout((this.options.timeout ?? 30) * 1000),
      });
    } catch (error) {
      throw new AdapterError(this.transport, `POST ${url} failed: ${errorMessage(error)}`, {
        cause: error,
      });
    }
    const text = await response.text().catch(() => "");
    if (!response.ok)
      throw new HttpError(
        response.status,
        `POST ${url} answered ${response.status}: ${text.slice(0, 500)}`,
      );
  }

  /** Subscribes once the stream is live, so an event published after this resolves is delivered. */
  async subscribe(
    topic: string,
    handler: EventHandler,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    await this.connect();
    return this.#table.add(topic, handler, options.pattern ?? null);
  }
}
