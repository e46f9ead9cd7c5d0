/**
 * The SQL of {@link PostgresEventBus}: its names (checked, then quoted — values always go as
 * parameters), the events table that is its replay window, and the statements over it.
 * @module
 */
import { ValidationError } from "../../core/errors.ts";
import { fnv1a } from "../../core/util/fnv.ts";
import type { PostgresQueryLike, PostgresSqlLike } from "./postgres-events-client.ts";

/** PostgreSQL identifiers are at most 63 bytes (NAMEDATALEN − 1); NOTIFY channels are identifiers. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** A table name leaves room for the `_trimmed` and `_channel_id` names made from it. */
const TABLE = /^(?:[A-Za-z_][A-Za-z0-9_]{0,62}\.)?[A-Za-z_][A-Za-z0-9_]{0,50}$/;

/**
 * Checks a channel name: letters, digits and `_`, at most 63, not starting with a digit. Anything
 * else (quotes, spaces, a 200-character name) is refused, never quoted into a statement.
 */
export function checkChannel(channel: unknown): string {
  if (typeof channel !== "string" || !IDENTIFIER.test(channel))
    throw new ValidationError(
      `Invalid channel ${JSON.stringify(String(channel).slice(0, 80))}: a NOTIFY channel is 1–63 characters of [A-Za-z0-9_], not starting with a digit`,
    );
  return channel;
}

/** A `[schema.]table` name as quoted identifiers; anything but `[A-Za-z0-9_]` is refused. */
function quotedTable(table: unknown): { name: string; quoted: string; schema: string } {
  if (typeof table !== "string" || !TABLE.test(table))
    throw new ValidationError(
      `Invalid table ${JSON.stringify(String(table).slice(0, 80))}: expected [schema.]name of [A-Za-z0-9_] (a name of at most 51 characters)`,
    );
  const parts = table.split(".");
  const name = parts.pop() as string;
  const schema = parts.length ? `"${parts[0]}".` : "";
  return { name, schema, quoted: `${schema}"${name}"` };
}

/** A row of the log: its id (a `bigint` in text) and the publish body. */
export interface LogRow {
  id: bigint;
  body: string;
}

/** Where the log stands for one channel. */
export interface LogPosition {
  /** The last id written on the channel (0n when none). */
  last: bigint;
  /** The largest id trimmed off the channel (0n when none). */
  trimmed: bigint;
  /** When the server started (`pg_postmaster_start_time()`): it changes on a restart. */
  started: string;
}

/**
 * The events table of one `[schema.]table` and channel: every publish is a row (the replay
 * window, trimmed to the newest `window` rows of the channel), and the NOTIFY names its id.
 */
export class EventLog {
  readonly channel: string;
  readonly #t: string;
  readonly #trimmed: string;
  readonly #index: string;
  readonly #lock: number;

  constructor(table: string, channel: string) {
    const t = quotedTable(table);
    this.channel = checkChannel(channel);
    this.#t = t.quoted;
    this.#trimmed = `${t.schema}"${t.name}_trimmed"`;
    this.#index = `"${t.name}_channel_id"`;
    // Publishers of a channel take this lock, so ids are committed in order: a reader that has
    // seen id n has seen every id below it, and resumes with `id > n`.
    this.#lock = fnv1a(`botknobs-events\u0000${table}\u0000${channel}`);
  }

  /** Creates the tables when missing (under a lock: two processes may start at once). */
  async create(sql: PostgresSqlLike): Promise<void> {
    await sql.begin(async (tx) => {
      // The publishing connection commits asynchronously (events may be lost in a crash, and
      // the restart says so); the table must not be: a crash before the WAL writer's next flush
      // would drop it, and no bus could reconnect or publish again.
      await tx.unsafe("set local synchronous_commit = on");
      await tx.unsafe("select pg_advisory_xact_lock($1::bigint)", [fnv1a("botknobs-events-ddl")]);
      await tx.unsafe(
        `create table if not exists ${this.#t} (id bigserial primary key, channel text not null, topic text not null, body text not null, created_at timestamptz not null default now())`,
      );
      await tx.unsafe(`create index if not exists ${this.#index} on ${this.#t} (channel, id)`);
      await tx.unsafe(
        `create table if not exists ${this.#trimmed} (channel text primary key, through bigint not null)`,
      );
    });
  }

  /**
   * Writes the event and notifies the channel with `<id> <body>`, in one statement (one
   * transaction): a NOTIFY is sent on commit, so a listener never hears of a row it cannot read.
   */
  async append(sql: PostgresQueryLike, topic: string, body: string): Promise<bigint> {
    const rows = await sql.unsafe(
      `with lock as (select pg_advisory_xact_lock($1::bigint)),
        e as (insert into ${this.#t} (channel, topic, body) select $2::text, $3::text, $4::text from lock returning id)
      select e.id::text as id, pg_notify($2::text, e.id::text || ' ' || $4::text) from e`,
      [this.#lock, this.channel, topic, body],
    );
    return BigInt(String(rows[0]?.id));
  }

  /** The channel's last id, its trim mark and the server's start time. */
  async position(sql: PostgresQueryLike): Promise<LogPosition> {
    const [row] = await sql.unsafe(
      `select coalesce((select max(id) from ${this.#t} where channel = $1::text), 0)::text as last,
        coalesce((select through from ${this.#trimmed} where channel = $1::text), 0)::text as trimmed,
        pg_postmaster_start_time()::text as started`,
      [this.channel],
    );
    return {
      last: BigInt(String(row?.last)),
      trimmed: BigInt(String(row?.trimmed)),
      started: String(row?.started),
    };
  }

  /** Up to `limit` rows of the channel after `id`, in order. */
  async after(sql: PostgresQueryLike, id: bigint, limit: number): Promise<LogRow[]> {
    const rows = await sql.unsafe(
      `select id::text as id, body from ${this.#t} where channel = $1::text and id > $2::bigint order by id limit $3::int`,
      [this.channel, id.toString(), limit],
    );
    return rows.map((r) => ({ id: BigInt(String(r.id)), body: String(r.body) }));
  }

  /** Keeps the newest `window` rows of the channel, and marks how far it trimmed. */
  async trim(sql: PostgresQueryLike, window: number): Promise<void> {
    await sql.unsafe(
      `with cut as (select id from ${this.#t} where channel = $1::text order by id desc offset $2::int limit 1),
        d as (delete from ${this.#t} where channel = $1::text and id <= (select id from cut) returning id)
      insert into ${this.#trimmed} (channel, through) select $1::text, max(id) from d having count(*) > 0
      on conflict (channel) do update set through = greatest(${this.#trimmed}.through, excluded.through)`,
      [this.channel, window],
    );
  }

  /** `LISTEN` on the channel (a checked identifier, quoted). */
  listen(sql: PostgresQueryLike): Promise<unknown> {
    return sql.unsafe(`listen "${this.channel}"`);
  }
}

/**
 * Reads a notification's payload (`<id> <body>`); null when it is not one of the bus's.
 * @example
 * parseNotification('42 {"type":"updated",…}') // { id: 42n, body: '{"type":"updated",…}' }
 */
export function parseNotification(payload: string): LogRow | null {
  const space = payload.indexOf(" ");
  const id = payload.slice(0, space);
  if (space < 1 || !/^\d+$/.test(id)) return null;
  return { id: BigInt(id), body: payload.slice(space + 1) };
}
