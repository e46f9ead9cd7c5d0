/**
 * {@link RedisEventBus}: an `EventBus` over a capped Redis stream that the processes sharing a
 * Redis server (and a `channelPrefix`) publish to and read from, resuming by stream id.
 * @module
 */
import { AdapterError, errorMessage, ValidationError } from "../../core/errors.ts";
import type { Event } from "../../core/events/event.ts";
import {
  followLog,
  LogEventBus,
  LogFanout,
  type ReconnectDelays,
} from "../../core/events/log-follow.ts";
import type { ErrorReporter, EventBusCapabilities } from "../../core/events/types.ts";
import { checkMaxEventBytes, publishText } from "../../core/events/wire.ts";
import {
  checkRedisConnection,
  closeRedis,
  describeRedis,
  openRedis,
  type RedisConnection,
} from "./redis-client.ts";
import { readStream, streamPosition } from "./redis-stream.ts";
import type { RedisClientLike } from "./types.ts";

/** Options of {@link RedisEventBus}: where Redis is, and the bus's own settings. */
export interface RedisEventBusOptions extends RedisConnection {
  /** The family of topics this bus shares: its events go to the stream `<channelPrefix>:stream` (default `"events"`). */
  channelPrefix?: string;
  /**
   * About how many events the stream keeps for buses that lost their connection (default
   * 10 000; `XADD … MAXLEN ~`, so Redis may keep a few more). One further behind is told to
   * resynchronise.
   */
  replayWindow?: number;
  /** The largest event, in bytes of its JSON (default 65 536). */
  maxEventBytes?: number;
  /** Seconds a publish may wait for Redis, reconnections included (default 10). */
  timeout?: number;
  /** Backoff between the reader's reconnection attempts. */
  reconnect?: ReconnectDelays;
  /** Told about lost connections, unreadable entries and throwing handlers. */
  onError?: ErrorReporter;
}

interface Reader {
  stop: AbortController;
  client: RedisClientLike | null;
}

/**
 * An event bus over Redis Streams: `publish` appends the event to the capped stream
 * `<channelPrefix>:stream` (`XADD … MAXLEN ~ replayWindow`); each bus reads the stream on a
 * connection of its own (`XREAD BLOCK`) from where it is, and hands every event to its matching
 * subscriptions, exact topics and glob patterns alike, once each, in stream order — its own
 * events too (`delivery: "async"`). After a lost connection it reconnects and reads on from the
 * last id it saw, so nothing in between is missed; when the stream was trimmed past that id or
 * the server restarted (a new `run_id`: what it held may be gone), every subscription gets an
 * `Event({ type: "custom", payload: { reconnected: true } })` so caches and hot reloaders
 * resynchronise. Needs Redis 5 or later (streams); the `redis` package (node-redis 5) loads on
 * first use.
 * @example
 * const bus = new RedisEventBus({ url: "redis://127.0.0.1:6379" });
 * await bus.subscribe("registry:*", (e) => console.log(e.payload), { pattern: "registry:*" });
 * await bus.publish("registry:bots", new Event({ type: EventType.UPDATED, topic: "registry:bots" }));
 */
export class RedisEventBus extends LogEventBus {
  readonly capabilities: EventBusCapabilities;
  /** The stream every bus of this family reads, `<channelPrefix>:stream`. */
  readonly stream: string;
  readonly #connection: RedisConnection;
  readonly #options: RedisEventBusOptions;
  readonly #report: ErrorReporter;
  readonly #window: number;
  protected readonly fanout: LogFanout;
  #publisher: Promise<RedisClientLike> | null = null;
  #reader: Reader | null = null;
  #ready: Promise<void> | null = null;
  #reconnects = 0;

  constructor(options: RedisEventBusOptions = {}) {
    super();
    checkRedisConnection(options);
    const prefix = options.channelPrefix ?? "events";
    if (typeof prefix !== "string" || prefix === "" || prefix.length > 200)
      throw new ValidationError(
        `Invalid channelPrefix ${JSON.stringify(prefix)}: expected 1–200 characters`,
      );
    const window = options.replayWindow ?? 10_000;
    if (!Number.isInteger(window) || window < 1)
      throw new ValidationError(`Invalid replayWindow ${window}: expected an integer ≥ 1`);
    const max = checkMaxEventBytes(options.maxEventBytes ?? 64 * 1024);
    this.capabilities = { delivery: "async", distributed: true, maxEventBytes: max };
    this.stream = `${prefix}:stream`;
    this.#window = window;
    this.#connection = options;
    this.#options = options;
    this.#report = options.onError ?? (() => {});
    this.fanout = new LogFanout("redis-bus", this.#report);
  }

  /** How many times the reader connected again after a loss. */
  get reconnects(): number {
    return this.#reconnects;
  }

  /** Opens the publishing and the reading connections; resolves once the reader follows the stream. Idempotent. */
  connect(): Promise<void> {
    if (this.#ready) return this.#ready;
    const reader: Reader = { stop: new AbortController(), client: null };
    this.#reader = reader;
    const ready = Promise.all([this.#publish(), this.#follow(reader)]).then(
      () => {},
      (error: unknown) => {
        if (this.#ready === ready) void this.close();
        throw error;
      },
    );
    this.#ready = ready;
    return ready;
  }

  #follow(reader: Reader): Promise<void> {
    let position = "0-0";
    let run = "";
    return followLog({
      signal: reader.stop.signal,
      what: `redis stream ${this.stream} at ${describeRedis(this.#connection)}`,
      report: this.#report,
      delays: this.#options.reconnect,
      session: async (resumed, established) => {
        const client = await openRedis(this.#connection, false, () => {});
        reader.client = client;
        try {
          if (reader.stop.signal.aborted) return;
          const at = await streamPosition(client, this.stream, position);
          if (!resumed) position = at.last;
          else {
            this.#reconnects++;
            // A new run of the server may have lost what it held; a trim may have passed us.
            if (at.runId !== run || at.trimmedPast) this.fanout.resync();
          }
          run = at.runId;
          established();
          await readStream(client, this.stream, position, reader.stop.signal, (id, body) => {
            position = id;
            this.fanout.deliver(body);
          });
        } finally {
          reader.client = null;
          closeRedis(client);
        }
      },
    });
  }

  /** The publishing connection (node-redis reconnects it by itself). */
  #publish(): Promise<RedisClientLike> {
    this.#publisher ??= openRedis(this.#connection, true, (e) =>
      this.#report(e, `redis publisher ${describeRedis(this.#connection)}`),
    ).catch((error: unknown) => {
      this.#publisher = null;
      throw error;
    });
    return this.#publisher;
  }

  /** Stops reading, closes both connections and drops every subscription (`connect()` opens new ones). */
  async close(): Promise<void> {
    const reader = this.#reader;
    const publisher = this.#publisher;
    this.#reader = null;
    this.#publisher = null;
    this.#ready = null;
    this.fanout.clear();
    reader?.stop.abort();
    closeRedis(reader?.client);
    closeRedis(await publisher?.catch(() => null));
  }

  /**
   * Appends the event to the stream; every bus reading it (this one too) delivers it. Over
   * `maxEventBytes` it is refused with `ValidationError` before anything is sent; a Redis that
   * does not answer within `timeout` is an `AdapterError` (the event may still arrive later).
   */
  async publish(topic: string, event: Event): Promise<void> {
    const body = publishText(topic, event, this.capabilities.maxEventBytes as number);
    const client = await this.#publish();
    try {
      await client.sendCommand(
        ["XADD", this.stream, "MAXLEN", "~", String(this.#window), "*", "e", body],
        { timeout: (this.#options.timeout ?? 10) * 1000 },
      );
    } catch (error) {
      throw new AdapterError(
        "redis",
        `could not publish event '${event.eventId}' on '${topic}' to ${this.stream}: ${errorMessage(error)}`,
        { cause: error },
      );
    }
  }
}
