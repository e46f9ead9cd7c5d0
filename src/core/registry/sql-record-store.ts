/**
 * {@link SqlRecordStore}: the {@link RecordStore} port in SQL, once for every store on a SQL
 * database — D1 (`botknobs/d1`), SQLite (`botknobs/sqlite`) and PostgreSQL (`botknobs/postgres`).
 * They differ in how they connect and create their tables; the statements are these, the same
 * text on each (`?` placeholders; the PostgreSQL connection numbers them).
 *
 * The tables (`sqlite-migrations.ts` for D1 and SQLite, the PostgreSQL store's own DDL) have
 * triggers that keep history and the revision in step with each write inside the same
 * statement, so each write below is one statement, atomic on its own, and its compare-and-set is
 * the database's: `INSERT … ON CONFLICT DO NOTHING` to create, `UPDATE … WHERE bot_id = ? AND
 * version = ?` to replace. A writer killed mid-statement leaves the old record or the new one.
 * @module
 */
import { AdapterError, BotknobsError, ValidationError } from "../errors.ts";
import type { JsonObject } from "../validate.ts";
import { pageLimit } from "./page.ts";
import { checkKeepLast, checkPutRecord, historyCursor } from "./record-checks.ts";
import type { RecordExt } from "./record-ext.ts";
import type {
  ListOptions,
  Page,
  PageOptions,
  PutCondition,
  RecordStore,
  RecordStoreCapabilities,
  TouchCondition,
} from "./record-store.ts";
import type { RegistrationDict, StoredRegistration } from "./registration.ts";

/**
 * How a {@link SqlRecordStore} runs statements (`?` placeholders, values in order). A failure
 * may throw anything: the store turns it into an `AdapterError` naming itself and the statement.
 */
export interface SqlConnection {
  /** Runs a statement that returns no rows; how many rows it changed (> 0: it wrote). */
  run(sql: string, params: readonly unknown[]): Promise<number>;
  /** Runs a statement that returns rows (a `SELECT`, or a write with `RETURNING`). */
  all<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
}

/** The three tables as SQL text: quoted, schema-qualified where the database has schemas. */
export interface SqlTables {
  records: string;
  history: string;
  revision: string;
}

/** A store's open connection and the tables its statements name. */
export interface SqlReady {
  connection: SqlConnection;
  tables: SqlTables;
}

/** Options of {@link SqlRecordStore}. */
export interface SqlRecordStoreOptions {
  /** The store's name in errors (`"sqlite"`). */
  name: string;
  /** The largest config, metadata or `ext` as JSON, in UTF-8 bytes; larger is a `ValidationError`. */
  maxValueBytes?: number;
}

const COLUMNS =
  "bot_id, version, status, etag, created_at, updated_at, last_accessed_at, metadata, config, ext";

interface Row {
  bot_id: string;
  /** A number; PostgreSQL's client hands a `bigint` column over as text. */
  version: number | string;
  status: string;
  etag: string;
  created_at: string;
  updated_at: string;
  last_accessed_at: string;
  metadata: string;
  config: string;
  /** JSON text; `NULL` when the record has none (every D1 row written before 0002). */
  ext: string | null;
}

function read(row: Row): StoredRegistration {
  const record: StoredRegistration = {
    bot_id: row.bot_id,
    config: row.config,
    status: row.status,
    version: Number(row.version),
    etag: row.etag,
    created_at: row.created_at,
    updated_at: row.updated_at,
    last_accessed_at: row.last_accessed_at,
    metadata: row.metadata === "{}" ? {} : (JSON.parse(row.metadata) as JsonObject),
  };
  if (row.ext !== null) record.ext = JSON.parse(row.ext) as RecordExt;
  return record;
}

/** The statements of one set of tables, built once. */
function statements(t: SqlTables) {
  return {
    get: `SELECT ${COLUMNS} FROM ${t.records} WHERE bot_id = ?`,
    list: (where: string) => `SELECT ${COLUMNS} FROM ${t.records}${where} ORDER BY bot_id LIMIT ?`,
    insert: `INSERT INTO ${t.records} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bot_id) DO NOTHING`,
    update:
      `UPDATE ${t.records} SET version = ?, status = ?, etag = ?, created_at = ?, updated_at = ?, ` +
      "last_accessed_at = ?, metadata = ?, config = ?, ext = ? WHERE bot_id = ? AND version = ?",
    touch: `UPDATE ${t.records} SET last_accessed_at = ? WHERE bot_id = ? AND version = ?`,
    delete: `DELETE FROM ${t.records} WHERE bot_id = ?`,
    clear: `DELETE FROM ${t.records} RETURNING bot_id`,
    revision: `SELECT epoch, changes FROM ${t.revision} WHERE id = 1`,
    history: `SELECT ${COLUMNS} FROM ${t.history} WHERE bot_id = ? AND version < ? ORDER BY version DESC LIMIT ?`,
    version: `SELECT ${COLUMNS} FROM ${t.history} WHERE bot_id = ? AND version = ?`,
    // Every version below the keepLast-th newest; the current one is always among those kept.
    prune:
      `DELETE FROM ${t.history} WHERE bot_id = ? AND version < ` +
      `(SELECT version FROM ${t.history} WHERE bot_id = ? ORDER BY version DESC LIMIT 1 OFFSET ?)`,
  };
}

type Statements = ReturnType<typeof statements>;

const utf8 = new TextEncoder();

/**
 * The registry's records in SQL: a current row per bot, every kept version in the history
 * table, a revision row. Subclasses say how to connect ({@link SqlRecordStore.connect}); the
 * connection opens on `initialize()` (or the first call) and again after `close()`. Strongly
 * consistent, atomic compare-and-set, `where status` pushed down to SQL.
 * @example
 * class MyStore extends SqlRecordStore {
 *   protected async connect() { return { connection, tables }; }
 *   protected async disconnect() {}
 * }
 */
export abstract class SqlRecordStore implements RecordStore {
  readonly name: string;
  readonly capabilities: RecordStoreCapabilities;
  readonly #maxValueBytes: number | undefined;
  #ready: Promise<{ connection: SqlConnection; sql: Statements }> | null = null;

  constructor(options: SqlRecordStoreOptions) {
    this.name = options.name;
    this.#maxValueBytes = options.maxValueBytes;
    this.capabilities = {
      consistency: "strong",
      visibilityLagMs: 0,
      atomicWrites: true,
      // `WHERE status = ?`, served by the (status, bot_id) index.
      filters: ["status"],
      ...(options.maxValueBytes === undefined ? {} : { maxValueBytes: options.maxValueBytes }),
    };
  }

  /** Opens the connection and makes sure the tables are there (created, migrated or checked). */
  protected abstract connect(): Promise<SqlReady>;
  /** Closes what {@link SqlRecordStore.connect} opened. */
  protected abstract disconnect(): Promise<void>;

  /** Connects (once; again after `close()`). Idempotent. */
  async initialize(): Promise<void> {
    await this.#open();
  }

  async close(): Promise<void> {
    const ready = this.#ready;
    this.#ready = null;
    if (ready !== null && (await ready.then(() => true).catch(() => false)))
      await this.disconnect();
  }

  #open(): Promise<{ connection: SqlConnection; sql: Statements }> {
    this.#ready ??= this.connect().then(
      ({ connection, tables }) => ({ connection, sql: statements(tables) }),
      (error: unknown) => {
        this.#ready = null;
        throw error;
      },
    );
    return this.#ready;
  }

  async get(botId: string): Promise<StoredRegistration | null> {
    const [row] = await this.#all<Row>((s) => s.get, [botId]);
    return row === undefined ? null : read(row);
  }

  async list(options: ListOptions = {}): Promise<Page<StoredRegistration>> {
    const limit = pageLimit(options.limit);
    const conditions: string[] = [];
    const params: unknown[] = [];
    const status = options.where?.status;
    if (status !== undefined) {
      conditions.push("status = ?");
      params.push(status);
    }
    if (options.cursor !== undefined) {
      conditions.push("bot_id > ?");
      params.push(options.cursor);
    }
    const where = conditions.length === 0 ? "" : ` WHERE ${conditions.join(" AND ")}`;
    // One more than the page: whether a cursor follows is known without another query.
    const rows = await this.#all<Row>((s) => s.list(where), [...params, limit + 1]);
    const items = rows.slice(0, limit).map(read);
    return rows.length > limit ? { items, cursor: items[limit - 1]?.bot_id as string } : { items };
  }

  async put(record: RegistrationDict, { expectedVersion }: PutCondition): Promise<boolean> {
    checkPutRecord(record, expectedVersion);
    const values = [
      record.bot_id,
      record.version,
      record.status,
      record.etag,
      record.created_at,
      record.updated_at,
      record.last_accessed_at,
      this.#json(record.bot_id, "metadata", record.metadata),
      this.#json(record.bot_id, "config", record.config),
      record.ext === undefined ? null : this.#json(record.bot_id, "ext", record.ext),
    ];
    const changed =
      expectedVersion === null
        ? await this.#run((s) => s.insert, values)
        : await this.#run((s) => s.update, [...values.slice(1), record.bot_id, expectedVersion]);
    return changed > 0;
  }

  async touch(
    botId: string,
    lastAccessedAt: string,
    { version }: TouchCondition,
  ): Promise<boolean> {
    return (await this.#run((s) => s.touch, [lastAccessedAt, botId, version])) > 0;
  }

  async delete(botId: string): Promise<boolean> {
    return (await this.#run((s) => s.delete, [botId])) > 0;
  }

  async clear(): Promise<string[]> {
    const rows = await this.#all<{ bot_id: string }>((s) => s.clear, []);
    return rows.map((r) => r.bot_id);
  }

  async revision(): Promise<string> {
    const [row] = await this.#all<{ epoch: string; changes: number | string }>(
      (s) => s.revision,
      [],
    );
    if (row === undefined)
      throw new AdapterError(this.name, "the revision table has no row: create the tables again");
    return `${row.epoch}-${row.changes}`;
  }

  async history(botId: string, options: PageOptions = {}): Promise<Page<StoredRegistration>> {
    const limit = pageLimit(options.limit);
    const below = historyCursor(options.cursor);
    const rows = await this.#all<Row>(
      (s) => s.history,
      [botId, Number.isFinite(below) ? below : Number.MAX_SAFE_INTEGER, limit + 1],
    );
    const items = rows.slice(0, limit).map(read);
    return rows.length > limit
      ? { items, cursor: String(items[limit - 1]?.version as number) }
      : { items };
  }

  async getVersion(botId: string, version: number): Promise<StoredRegistration | null> {
    const [row] = await this.#all<Row>((s) => s.version, [botId, version]);
    return row === undefined ? null : read(row);
  }

  async pruneHistory(botId: string, keepLast: number): Promise<number> {
    checkKeepLast(keepLast);
    return this.#run((s) => s.prune, [botId, botId, keepLast - 1]);
  }

  /** JSON text of a field, refused with `ValidationError` when larger than the store takes. */
  #json(botId: string, field: string, value: JsonObject | RecordExt | string): string {
    const text = typeof value === "string" ? value : JSON.stringify(value ?? {});
    const max = this.#maxValueBytes;
    // Each UTF-16 unit is at most 3 UTF-8 bytes: measure only when it could matter.
    if (max !== undefined && text.length * 3 > max && utf8.encode(text).length > max)
      throw new ValidationError(
        `The ${field} of bot '${botId}' is larger than ${this.name}'s ${max}-byte limit`,
        [{ path: [field], message: `at most ${max} bytes as JSON` }],
      );
    return text;
  }

  async #run(pick: (s: Statements) => string, params: unknown[]): Promise<number> {
    const { connection, sql } = await this.#open();
    const text = pick(sql);
    return this.#call(text, () => connection.run(text, params));
  }

  async #all<T>(pick: (s: Statements) => string, params: unknown[]): Promise<T[]> {
    const { connection, sql } = await this.#open();
    const text = pick(sql);
    return this.#call(text, () => connection.all<T>(text, params));
  }

  /** Runs one statement; a failure becomes an `AdapterError` naming the store and the statement. */
  async #call<T>(sql: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof BotknobsError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new AdapterError(this.name, `statement failed: ${sql} — ${message}`, { cause: error });
    }
  }
}
