/**
 * {@link SqliteEventBus}: an `EventBus` over a table of a SQLite file that the processes of one
 * host share — what `npm start` links the registry, ingestion and `/events` with on an embedded
 * database, so a client of any process hears every write made through any other.
 * @module
 */
import { AdapterError, errorMessage, ValidationError } from "../../core/errors.ts";
import type { Event } from "../../core/events/event.ts";
import { followLog, LogEventBus, LogFanout } from "../../core/events/log-follow.ts";
import type { ErrorReporter, EventBusCapabilities } from "../../core/events/types.ts";
import { checkMaxEventBytes, publishText } from "../../core/events/wire.ts";
import { checkTableName, quoteName } from "../../core/registry/sql-tables.ts";
import { openSqliteDatabase, type SqliteDriverName } from "./sqlite-driver.ts";
import type { SqliteDatabaseLike, SqliteStatementLike } from "./types.ts";

/** Options of {@link SqliteEventBus}. */
export interface SqliteEventBusOptions {
  /** The database file every process's bus shares (created if missing; its folder must exist). */
  path: string;
  /** The events table (default `"botknobs_events"`, with `<table>_trimmed` beside it). */
  table?: string;
  /** How many events the table keeps for buses that fell behind (default 10 000). */
  replayWindow?: number;
  /** The largest event, in bytes of its JSON (default 65 536, as `POST /events` takes). */
  maxEventBytes?: number;
  /**
   * How often a bus looks for other processes' events, in ms (default 25). Where `node:fs` is
   * (Node, Deno, Bun) a watch on the file's folder wakes it at once on a commit besides.
   */
  pollMs?: number;
  /** The driver (default: the runtime's, see `runtimeSqliteDriver`). */
  driver?: SqliteDriverName;
  /** Told about unreadable events, failed reads and trims, throwing handlers. */
  onError?: ErrorReporter;
}

/** Rows read per query while catching up. */
const BATCH = 500;

// The specifier in a variable: a bundle of botknobs/sqlite holds no `node:fs`.
const load = (specifier: string): Promise<Record<string, unknown>> =>
  import(/* @vite-ignore */ specifier);

type Watch = (
  dir: string,
  listener: (type: string, name: string | null) => void,
) => {
  close(): void;
  on(event: "error", listener: () => void): unknown;
};

/**
 * Calls `wake` whenever a file of `path`'s folder whose name starts with its name changes (the
 * database, its WAL): a commit of another process. Null where there is no `node:fs` watch.
 */
async function watchCommits(path: string, wake: () => void): Promise<{ close(): void } | null> {
  try {
    const { watch } = (await load("node:fs")) as { watch: Watch };
    const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
    const name = path.slice(cut + 1);
    const watcher = watch(cut < 0 ? "." : path.slice(0, cut) || "/", (_, file) => {
      if (file === null || file.startsWith(name)) wake();
    });
    watcher.on("error", () => watcher.close()); // the poll goes on
    return watcher;
  } catch {
    return null;
  }
}

/**
 * An event bus shared by the processes of one host through a SQLite file (WAL). `publish`
 * inserts the event as one row (one statement: a writer killed mid-publish leaves the row or
 * nothing) and then runs the local handlers (`delivery: "sync"`, as the memory bus); every bus
 * follows the table (a `PRAGMA data_version` check every `pollMs`, then the rows after the last
 * it read) and delivers the other processes' events once each, in commit order — its own never
 * come back to it. Row ids are given under the file's write lock, so a bus that read id n has
 * seen every event below it. A bus hears what others publish after its `connect()`
 * (`subscribe` connects). The table keeps the newest `replayWindow` rows; a bus that fell
 * further behind tells each subscription with `Event({ type: "custom", payload: { reconnected:
 * true } })`, as the remote buses do, so caches and hot reloaders resynchronise. One host only.
 * @example
 * const bus = new SqliteEventBus({ path: "./data/botknobs.db" });
 * await bus.subscribe("registry:*", (e) => console.log(e.payload), { pattern: "registry:*" });
 */
export class SqliteEventBus extends LogEventBus {
  readonly capabilities: EventBusCapabilities;
  /** The shared file. */
  readonly path: string;
  protected readonly fanout: LogFanout;
  readonly #options: SqliteEventBusOptions;
  readonly #table: string;
  readonly #trimmed: string;
  readonly #window: number;
  readonly #trimEvery: number;
  readonly #report: ErrorReporter;
  /** This bus's name in the rows it writes, so it skips its own. */
  readonly #writer = crypto.randomUUID();
  #db: Promise<SqliteDatabaseLike> | null = null;
  #ready: Promise<void> | null = null;
  #stop: AbortController | null = null;
  #following: Promise<void> | null = null;
  #last = 0;
  #published = 0;
  /** Set by a publish: the file's `data_version` does not change for this connection's own commits. */
  #poke = false;
  /** Ends the current pause of the follow loop. */
  #wake: () => void = () => {};

  constructor(options: SqliteEventBusOptions) {
    super();
    if (typeof options?.path !== "string" || options.path === "" || options.path === ":memory:")
      throw new ValidationError("SqliteEventBus needs a path: the database file processes share");
    const table = checkTableName(options.table ?? "botknobs_events");
    const window = options.replayWindow ?? 10_000;
    if (!Number.isInteger(window) || window < 1)
      throw new ValidationError(`Invalid replayWindow ${window}: expected an integer ≥ 1`);
    const max = checkMaxEventBytes(options.maxEventBytes ?? 64 * 1024);
    this.capabilities = { delivery: "sync", distributed: true, maxEventBytes: max };
    this.path = options.path;
    this.#options = options;
    this.#table = quoteName(table);
    this.#trimmed = quoteName(`${table}_trimmed`);
    this.#window = window;
    this.#trimEvery = Math.min(100, Math.ceil(window / 10));
    this.#report = options.onError ?? (() => {});
    this.fanout = new LogFanout("sqlite-bus", this.#report);
  }

  /** The open file, with the tables made (one connection: publishing and following). */
  #open(): Promise<SqliteDatabaseLike> {
    this.#db ??= (async () => {
      const { driver } = this.#options;
      const db = await openSqliteDatabase(this.path, driver ? { driver } : {});
      try {
        // Events are not kept through a power cut (each commit is not flushed; the file stays
        // whole): a publish costs no fsync, and buses behind a lost tail resynchronise.
        db.exec("PRAGMA synchronous = NORMAL");
        db.exec(
          `CREATE TABLE IF NOT EXISTS ${this.#table} (id INTEGER PRIMARY KEY AUTOINCREMENT, writer TEXT NOT NULL, topic TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL);
          CREATE TABLE IF NOT EXISTS ${this.#trimmed} (id INTEGER PRIMARY KEY CHECK (id = 1), through INTEGER NOT NULL)`,
        );
      } catch (error) {
        db.close();
        throw new AdapterError(
          "sqlite",
          `could not create the events table in ${this.path}: ${errorMessage(error)}`,
          { cause: error },
        );
      }
      return db;
    })().catch((error: unknown) => {
      this.#db = null;
      throw error;
    });
    return this.#db;
  }

  /** Where the table stands: its last id, and how far it was trimmed. */
  #position(db: SqliteDatabaseLike): { last: number; trimmed: number } {
    const [row] = db
      .prepare(
        `SELECT (SELECT coalesce(max(id), 0) FROM ${this.#table}) AS last, (SELECT coalesce(max(through), 0) FROM ${this.#trimmed}) AS trimmed`,
      )
      .all() as { last: number | bigint; trimmed: number | bigint }[];
    return { last: Number(row?.last ?? 0), trimmed: Number(row?.trimmed ?? 0) };
  }

  /** Starts following the table from its end; resolves once it does. Idempotent. */
  connect(): Promise<void> {
    if (this.#ready) return this.#ready;
    const stop = new AbortController();
    this.#stop = stop;
    const ready = this.#open()
      .then((db) =>
        followLog({
          signal: stop.signal,
          what: `events table ${this.#table} of ${this.path}`,
          report: this.#report,
          session: (resumed, established) => {
            const run = this.#follow(db, stop.signal, resumed, established);
            this.#following = run.catch(() => {});
            return run;
          },
        }),
      )
      .catch((error: unknown) => {
        if (this.#ready === ready) this.#ready = null;
        throw error instanceof AdapterError
          ? error
          : new AdapterError(
              "sqlite",
              `could not follow events in ${this.path}: ${errorMessage(error)}`,
              { cause: error },
            );
      });
    this.#ready = ready;
    return ready;
  }

  /** One session: from the end (or, resumed, from the last row read) until `signal` aborts. */
  async #follow(
    db: SqliteDatabaseLike,
    signal: AbortSignal,
    resumed: boolean,
    established: () => void,
  ): Promise<void> {
    const at = this.#position(db);
    if (!resumed) this.#last = at.last;
    else if (at.trimmed > this.#last) this.#gap(at.last);
    established();
    const version = db.prepare("PRAGMA data_version");
    const rows = db.prepare(
      `SELECT id, writer, body FROM ${this.#table} WHERE id > ? ORDER BY id LIMIT ${BATCH}`,
    );
    let seen: unknown;
    const watcher = await watchCommits(this.path, () => this.#wake());
    signal.addEventListener("abort", () => this.#wake());
    try {
      await this.#loop(
        db,
        signal,
        () => {
          const now = (version.all()[0] as Record<string, unknown>).data_version;
          const changed = now !== seen || this.#poke;
          seen = now;
          this.#poke = false;
          return changed;
        },
        rows,
      );
    } finally {
      watcher?.close();
    }
  }

  /** Reads new rows whenever `changed()` says so, pausing `pollMs` (or until woken) between looks. */
  async #loop(
    db: SqliteDatabaseLike,
    signal: AbortSignal,
    changed: () => boolean,
    rows: SqliteStatementLike,
  ): Promise<void> {
    while (!signal.aborted) {
      if (changed()) {
        for (;;) {
          const batch = rows.all(this.#last) as {
            id: number | bigint;
            writer: string;
            body: string;
          }[];
          const first = batch[0];
          // Rows this bus had not read yet were trimmed away: it may have missed events.
          if (first !== undefined && Number(first.id) > this.#last + 1) {
            const { trimmed, last } = this.#position(db);
            if (trimmed > this.#last) {
              this.#gap(last);
              break;
            }
          }
          for (const row of batch) {
            this.#last = Number(row.id);
            if (row.writer !== this.#writer) this.fanout.deliver(row.body);
          }
          if (batch.length < BATCH) break;
        }
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#options.pollMs ?? 25);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Tells every subscription to resynchronise, and goes on from `last`. */
  #gap(last: number): void {
    this.#last = last;
    this.fanout.resync();
  }

  /** Stops following, closes the file and drops every subscription (`connect()` starts again). */
  async close(): Promise<void> {
    this.#stop?.abort();
    this.#stop = null;
    this.#ready = null;
    await this.#following;
    this.#following = null;
    this.fanout.clear();
    const db = this.#db;
    this.#db = null;
    (await db?.catch(() => null))?.close();
  }

  /**
   * Inserts the event (other processes' buses deliver it from there), then runs the local
   * handlers. Over `maxEventBytes` it is refused with `ValidationError` before anything is
   * written; a failed write is an `AdapterError` (and reaches no one).
   */
  async publish(topic: string, event: Event): Promise<void> {
    const body = publishText(topic, event, this.capabilities.maxEventBytes as number);
    const db = await this.#open();
    try {
      db.prepare(
        `INSERT INTO ${this.#table} (writer, topic, body, created_at) VALUES (?, ?, ?, ?)`,
      ).run(this.#writer, topic, body, Date.now());
    } catch (error) {
      throw new AdapterError(
        "sqlite",
        `could not publish event '${event.eventId}' on '${topic}' in ${this.path}: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    this.#poke = true;
    if (++this.#published % this.#trimEvery === 0) this.#trim(db);
    await this.fanout.deliverOwn(topic, event);
  }

  /** Keeps the newest `replayWindow` rows, marking how far it cut (one transaction). */
  #trim(db: SqliteDatabaseLike): void {
    try {
      db.exec("BEGIN IMMEDIATE");
      try {
        const { last } = this.#position(db);
        const through = last - this.#window;
        if (through > 0) {
          db.prepare(`DELETE FROM ${this.#table} WHERE id <= ?`).run(through);
          db.prepare(
            `INSERT INTO ${this.#trimmed} (id, through) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET through = max(through, excluded.through)`,
          ).run(through);
        }
        db.exec("COMMIT");
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    } catch (error) {
      this.#report(error, `trimming the events of ${this.path}`);
    }
  }
}
