/**
 * {@link PostgresEventBus}: an `EventBus` over PostgreSQL LISTEN/NOTIFY (`pg_notify`), with an
 * events table as its replay window so a bus that lost its connection resumes by id.
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
import { LogListener } from "./postgres-event-bus-listener.ts";
import { EventLog } from "./postgres-event-bus-sql.ts";
import {
  checkPostgresConnection,
  describePostgres,
  openPostgres,
  type PostgresConnection,
  type PostgresSqlLike,
} from "./postgres-events-client.ts";

/**
 * PostgreSQL's NOTIFY takes payloads under 8000 bytes; the bus sends `<id> <event JSON>`, so an
 * event may have 7900 (its id takes at most 20 more).
 */
export const POSTGRES_MAX_EVENT_BYTES = 7900;

/** Options of {@link PostgresEventBus}: where PostgreSQL is, and the bus's own settings. */
export interface PostgresEventBusOptions extends PostgresConnection {
  /** The NOTIFY channel the buses of one family share (default `"events"`): 1–63 of `[A-Za-z0-9_]`. */
  channelPrefix?: string;
  /** The events table, `[schema.]name` (default `"botknobs_events"`; made when missing, with `<name>_trimmed`). */
  table?: string;
  /** How many events of the channel the table keeps for buses that lost their connection (default 10 000). */
  replayWindow?: number;
  /** The largest event, in bytes of its JSON: at most (and by default) {@link POSTGRES_MAX_EVENT_BYTES}. */
  maxEventBytes?: number;
  /** Seconds to wait for a connection (default 10). */
  timeout?: number;
  /** Backoff between the listener's reconnection attempts. */
  reconnect?: ReconnectDelays;
  /** Told about lost connections, unreadable events, failed trims and throwing handlers. */
  onError?: ErrorReporter;
}

/**
 * An event bus over PostgreSQL: `publish` writes the event to the events table and notifies the
 * channel with its id, in one statement — `select pg_notify($1, $2)`, never a NOTIFY built from
 * strings. Each bus LISTENs on a dedicated connection and hands every event to its matching
 * subscriptions, exact topics and glob patterns alike (topics travel in the payload, so any
 * topic works; the channel is a checked identifier), once each, in commit order — its own events
 * too (`delivery: "async"`). After a lost connection it connects again, LISTENs again and reads
 * the rows written meanwhile, so nothing is missed; when the server restarted or the table was
 * trimmed past its last event, every subscription first gets an
 * `Event({ type: "custom", payload: { reconnected: true } })` so caches and hot reloaders
 * resynchronise. Events carry ids and versions, not documents: at most 7900 bytes. The
 * `postgres` package loads on first use. Not for edge runtimes: LISTEN needs a long-lived socket.
 * @example
 * const bus = new PostgresEventBus({ connectionString: "postgres://postgres@127.0.0.1/test" });
 * await bus.subscribe("registry:bots", (e) => console.log(e.payload.bot_id));
 */
export class PostgresEventBus extends LogEventBus {
  readonly capabilities: EventBusCapabilities;
  readonly #connection: PostgresConnection;
  readonly #options: PostgresEventBusOptions;
  readonly #report: ErrorReporter;
  readonly #window: number;
  /** Publishes between two trims of the table (each bus counts its own): the table holds at most `window` + this. */
  readonly #trimEvery: number;
  readonly #log: EventLog;
  protected readonly fanout: LogFanout;
  #writer: Promise<PostgresSqlLike> | null = null;
  #stop: AbortController | null = null;
  #listener: LogListener | null = null;
  #ready: Promise<void> | null = null;
  #published = 0;

  constructor(options: PostgresEventBusOptions = {}) {
    super();
    checkPostgresConnection(options);
    const window = options.replayWindow ?? 10_000;
    if (!Number.isInteger(window) || window < 1)
      throw new ValidationError(`Invalid replayWindow ${window}: expected an integer ≥ 1`);
    const max = checkMaxEventBytes(options.maxEventBytes ?? POSTGRES_MAX_EVENT_BYTES);
    if (max > POSTGRES_MAX_EVENT_BYTES)
      throw new ValidationError(
        `Invalid maxEventBytes ${max}: NOTIFY payloads are under 8000 bytes, so at most ${POSTGRES_MAX_EVENT_BYTES}`,
      );
    this.capabilities = { delivery: "async", distributed: true, maxEventBytes: max };
    this.#log = new EventLog(options.table ?? "botknobs_events", options.channelPrefix ?? "events");
    this.#window = window;
    this.#trimEvery = Math.min(100, Math.ceil(window / 10));
    this.#connection = options;
    this.#options = options;
    this.#report = options.onError ?? (() => {});
    this.fanout = new LogFanout("postgres-bus", this.#report);
  }

  /** The NOTIFY channel. */
  get channel(): string {
    return this.#log.channel;
  }

  /** How many times the listener connected again after a loss. */
  get reconnects(): number {
    return this.#listener?.reconnects ?? 0;
  }

  /** Makes the table when missing and starts listening; resolves once the listener is live. Idempotent. */
  connect(): Promise<void> {
    if (this.#ready) return this.#ready;
    const stop = new AbortController();
    const listener = new LogListener(this.#log, this.fanout, this.#connection);
    this.#stop = stop;
    this.#listener = listener;
    const ready = this.#write()
      .then(() =>
        followLog({
          signal: stop.signal,
          what: `LISTEN "${this.#log.channel}" at ${describePostgres(this.#connection)}`,
          report: this.#report,
          delays: this.#options.reconnect,
          session: (resumed, established) => listener.session(stop.signal, resumed, established),
        }),
      )
      .catch((error: unknown) => {
        if (this.#ready === ready) void this.close();
        throw error instanceof AdapterError
          ? error
          : new AdapterError(
              "postgres",
              `could not listen at ${describePostgres(this.#connection)}: ${errorMessage(error)}`,
              { cause: error },
            );
      });
    this.#ready = ready;
    return ready;
  }

  /** The publishing client (one connection, so one bus's events keep their order), with the table made. */
  #write(): Promise<PostgresSqlLike> {
    this.#writer ??= (async () => {
      const sql = await openPostgres(this.#connection, {
        max: 1,
        connect_timeout: this.#options.timeout ?? 10,
        // A publish commits without waiting for the WAL flush (the NOTIFY goes out at commit
        // either way): tens of ms less on a busy disk. A crash may then lose the last rows of
        // the window, and the restart tells every listener to resynchronise.
        connection: { synchronous_commit: "off" },
      });
      try {
        await this.#log.create(sql);
      } catch (error) {
        await sql.end({ timeout: 0 }).catch(() => {});
        throw new AdapterError(
          "postgres",
          `could not prepare the events table at ${describePostgres(this.#connection)}: ${errorMessage(error)}`,
          { cause: error },
        );
      }
      return sql;
    })().catch((error: unknown) => {
      this.#writer = null;
      throw error;
    });
    return this.#writer;
  }

  /** Stops listening, closes the connections and drops every subscription (`connect()` starts again). */
  async close(): Promise<void> {
    const writer = this.#writer;
    const listener = this.#listener;
    this.#stop?.abort();
    this.#stop = null;
    this.#writer = null;
    this.#ready = null;
    this.fanout.clear();
    await (await writer?.catch(() => null))?.end({ timeout: 1 }).catch(() => {});
    await listener?.ended();
  }

  /**
   * Writes the event to the table and notifies the channel (one statement); every listening bus
   * (this one too) delivers it. Over `maxEventBytes` it is refused with `ValidationError` before
   * anything is sent; a failed write is an `AdapterError` (and reaches no one).
   */
  async publish(topic: string, event: Event): Promise<void> {
    const body = publishText(topic, event, this.capabilities.maxEventBytes as number);
    const sql = await this.#write();
    try {
      await this.#log.append(sql, topic, body);
    } catch (error) {
      throw new AdapterError(
        "postgres",
        `could not publish event '${event.eventId}' on '${topic}' (channel ${this.#log.channel}): ${errorMessage(error)}`,
        { cause: error },
      );
    }
    if (++this.#published % this.#trimEvery === 0)
      this.#log
        .trim(sql, this.#window)
        .catch((e: unknown) => this.#report(e, `trimming the events of ${this.#log.channel}`));
  }
}
