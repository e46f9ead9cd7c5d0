/**
 * The LISTEN side of {@link PostgresEventBus}: one dedicated connection at a time, which
 * LISTENs, catches up from the events table after a loss, and then hands over notifications —
 * each id once, in order.
 * @module
 */
import type { LogFanout } from "../../core/events/log-follow.ts";
import { type EventLog, type LogRow, parseNotification } from "./postgres-event-bus-sql.ts";
import {
  openPostgres,
  type PostgresConnection,
  type PostgresSqlLike,
} from "./postgres-events-client.ts";

/** Rows read per query while catching up. */
const PAGE = 500;

/** The reading state of one bus across its connections. */
export class LogListener {
  readonly #log: EventLog;
  readonly #fanout: LogFanout;
  readonly #connection: PostgresConnection;
  /** The last id delivered (or, before any, the channel's last id at the first connection). */
  #cursor = 0n;
  #started = "";
  #reconnects = 0;
  #running: Promise<unknown> = Promise.resolve();

  constructor(log: EventLog, fanout: LogFanout, connection: PostgresConnection) {
    this.#log = log;
    this.#fanout = fanout;
    this.#connection = connection;
  }

  /** Resolves when the current connection's session has ended and its connection closed. */
  async ended(): Promise<void> {
    await this.#running.catch(() => {});
  }

  /** How many times a connection was made again after a loss. */
  get reconnects(): number {
    return this.#reconnects;
  }

  #take(row: LogRow): void {
    // Ids are committed in order (the publishers' lock): at or below the cursor is a copy.
    if (row.id <= this.#cursor) return;
    this.#cursor = row.id;
    this.#fanout.deliver(row.body);
  }

  /**
   * One connection's life (a `followLog` session): LISTEN, then — after a loss — the rows
   * written meanwhile, a resynchronisation notice when the server restarted or the window was
   * trimmed past the cursor, then notifications until the connection closes or `signal` aborts.
   */
  session(signal: AbortSignal, resumed: boolean, established: () => void): Promise<void> {
    const running = this.#session(signal, resumed, established);
    this.#running = running;
    return running;
  }

  async #session(signal: AbortSignal, resumed: boolean, established: () => void): Promise<void> {
    let lost = (): void => {};
    const closed = new Promise<void>((resolve) => {
      lost = resolve;
    });
    const early: LogRow[] = [];
    let live = false;
    const sql: PostgresSqlLike = await openPostgres(this.#connection, {
      max: 1,
      idle_timeout: null,
      max_lifetime: null,
      fetch_types: false,
      connect_timeout: 10,
      onclose: () => lost(),
      onnotify: (channel: string, payload: string) => {
        if (channel !== this.#log.channel) return;
        const row = parseNotification(payload);
        if (row === null) return;
        if (live) this.#take(row);
        else early.push(row);
      },
    });
    signal.addEventListener("abort", lost, { once: true });
    try {
      await this.#log.listen(sql);
      const at = await this.#log.position(sql);
      if (!resumed) this.#cursor = at.last;
      else {
        this.#reconnects++;
        if (at.started !== this.#started) {
          // The server restarted: publishes commit asynchronously, so a crash may have lost the
          // last rows — and their ids, which new rows then take again (ids at or below the
          // cursor that are not copies). Subscribers resynchronise instead, and reading goes
          // on from the table's last id as it is now.
          this.#cursor = at.last;
          this.#fanout.resync();
        } else if (at.trimmed > this.#cursor) this.#fanout.resync();
        for (let rows = [] as LogRow[]; ; ) {
          rows = await this.#log.after(sql, this.#cursor, PAGE);
          for (const row of rows) this.#take(row);
          if (rows.length < PAGE) break;
        }
      }
      this.#started = at.started;
      live = true;
      for (const row of early.splice(0)) this.#take(row);
      established();
      await closed;
    } finally {
      signal.removeEventListener("abort", lost);
      await sql.end({ timeout: 0 }).catch(() => {});
    }
  }
}
