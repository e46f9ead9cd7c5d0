/**
 * {@link D1RecordStore}: the registry's {@link RecordStore} on Cloudflare D1 (SQLite). The schema
 * is `migrations/` (`0001_registry.sql`, then `0002_record_ext.sql`: the `ext` column and the
 * status index); its triggers keep history and the revision in step with each write inside the
 * same statement.
 * @module
 */
import { AdapterError, BotknobsError, ValidationError } from "../../core/errors.ts";
import { pageLimit } from "../../core/registry/page.ts";
import type { RecordExt } from "../../core/registry/record-ext.ts";
import type {
  ListOptions,
  Page,
  PageOptions,
  PutCondition,
  RecordStore,
  RecordStoreCapabilities,
  TouchCondition,
} from "../../core/registry/record-store.ts";
import { checkKeepLast, checkPutRecord, historyCursor } from "../../core/registry/record-table.ts";
import type { RegistrationDict, StoredRegistration } from "../../core/registry/registration.ts";
import type { JsonObject } from "../../core/validate.ts";
import type { D1DatabaseLike, D1StatementLike } from "./types.ts";

/** Options of {@link D1RecordStore}. */
export interface D1RecordStoreOptions {
  /** The D1 binding (`env.REGISTRY_DB` with `[[d1_databases]]` in `wrangler.toml`), migrated. */
  db: D1DatabaseLike;
}

/** D1 binds at most this many parameters per statement. */
export const D1_MAX_BOUND_PARAMETERS = 100;
/** D1's largest string, BLOB or row, in bytes: a config or metadata above it is refused up front. */
export const D1_MAX_VALUE_BYTES = 2_000_000;

const COLUMNS =
  "bot_id, version, status, etag, created_at, updated_at, last_accessed_at, metadata, config, ext";

interface Row {
  bot_id: string;
  version: number;
  status: string;
  etag: string;
  created_at: string;
  updated_at: string;
  last_accessed_at: string;
  metadata: string;
  config: string;
  /** JSON text; `NULL` when the record has none (every row written before 0002). */
  ext: string | null;
}

function read(row: Row): StoredRegistration {
  const record: StoredRegistration = {
    bot_id: row.bot_id,
    config: row.config,
    status: row.status,
    version: row.version,
    etag: row.etag,
    created_at: row.created_at,
    updated_at: row.updated_at,
    last_accessed_at: row.last_accessed_at,
    metadata: row.metadata === "{}" ? {} : (JSON.parse(row.metadata) as JsonObject),
  };
  if (row.ext !== null) record.ext = JSON.parse(row.ext) as RecordExt;
  return record;
}

const utf8 = new TextEncoder();

/** JSON text of a field, refused with `ValidationError` when D1 could not store it. */
function jsonText(botId: string, field: string, value: JsonObject | RecordExt | string): string {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? {});
  // Each UTF-16 unit is at most 3 UTF-8 bytes: measure only when it could matter.
  if (text.length * 3 > D1_MAX_VALUE_BYTES && utf8.encode(text).length > D1_MAX_VALUE_BYTES)
    throw new ValidationError(
      `The ${field} of bot '${botId}' is larger than D1's ${D1_MAX_VALUE_BYTES}-byte limit`,
      [{ path: [field], message: `at most ${D1_MAX_VALUE_BYTES} bytes as JSON` }],
    );
  return text;
}

/**
 * Records in D1: `botknobs_records` (one row per bot) and `botknobs_history` (every kept
 * version). `put` is one statement — `INSERT … ON CONFLICT DO NOTHING` to create,
 * `UPDATE … WHERE bot_id = ? AND version = ?` to replace — so its compare-and-set is D1's own,
 * read from `meta.changes`; the triggers record the version and move the revision in the same
 * statement. Strongly consistent (one primary). Failures are `AdapterError`s naming `d1` and
 * the statement.
 * @example
 * const store = new D1RecordStore({ db: env.REGISTRY_DB });
 * const backend = new StoreRegistryBackend({ store });
 */
export class D1RecordStore implements RecordStore {
  readonly name: string = "d1";
  readonly capabilities: RecordStoreCapabilities = {
    consistency: "strong",
    visibilityLagMs: 0,
    atomicWrites: true,
    // `WHERE status = ?`, served by the index of 0002.
    filters: ["status"],
  };
  readonly #db: D1DatabaseLike;

  constructor(options: D1RecordStoreOptions) {
    if (typeof options?.db?.prepare !== "function")
      throw new ValidationError("D1RecordStore needs a D1 database binding (options.db)", [
        { path: ["db"], message: "expected a D1Database binding" },
      ]);
    this.#db = options.db;
  }

  /**
   * Checks that the migrations were applied (the store never creates tables by itself): the
   * revision row of 0001 and the `ext` column of 0002, in one statement.
   */
  async initialize(): Promise<void> {
    const row = await this.#first<{ changes: number }>(
      "SELECT changes, (SELECT ext FROM botknobs_history LIMIT 0) AS ext FROM botknobs_revision WHERE id = 1",
      [],
    ).catch((error: unknown) => {
      throw new AdapterError(
        "d1",
        "the registry schema is missing or old: apply migrations/0001_registry.sql and " +
          `migrations/0002_record_ext.sql (wrangler d1 migrations apply <database>) — ${(error as Error).message}`,
        { cause: error },
      );
    });
    if (row === null)
      throw new AdapterError("d1", "botknobs_revision has no row: re-apply the migration");
  }

  async close(): Promise<void> {}

  async get(botId: string): Promise<StoredRegistration | null> {
    const row = await this.#first<Row>(`SELECT ${COLUMNS} FROM botknobs_records WHERE bot_id = ?`, [
      botId,
    ]);
    return row === null ? null : read(row);
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
    const rows = await this.#all<Row>(
      `SELECT ${COLUMNS} FROM botknobs_records${where} ORDER BY bot_id LIMIT ?`,
      [...params, limit + 1],
    );
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
      jsonText(record.bot_id, "metadata", record.metadata),
      jsonText(record.bot_id, "config", record.config),
      record.ext === undefined ? null : jsonText(record.bot_id, "ext", record.ext),
    ];
    // meta.changes counts the triggers' rows too; they fire only when this statement wrote.
    const result =
      expectedVersion === null
        ? await this.#run(
            `INSERT INTO botknobs_records (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bot_id) DO NOTHING`,
            values,
          )
        : await this.#run(
            "UPDATE botknobs_records SET version = ?, status = ?, etag = ?, created_at = ?, updated_at = ?, " +
              "last_accessed_at = ?, metadata = ?, config = ?, ext = ? WHERE bot_id = ? AND version = ?",
            [...values.slice(1), record.bot_id, expectedVersion],
          );
    return result.meta.changes > 0;
  }

  async touch(
    botId: string,
    lastAccessedAt: string,
    { version }: TouchCondition,
  ): Promise<boolean> {
    const result = await this.#run(
      "UPDATE botknobs_records SET last_accessed_at = ? WHERE bot_id = ? AND version = ?",
      [lastAccessedAt, botId, version],
    );
    return result.meta.changes > 0;
  }

  async delete(botId: string): Promise<boolean> {
    const result = await this.#run("DELETE FROM botknobs_records WHERE bot_id = ?", [botId]);
    return result.meta.changes > 0;
  }

  async clear(): Promise<string[]> {
    const rows = await this.#all<{ bot_id: string }>(
      "DELETE FROM botknobs_records RETURNING bot_id",
      [],
    );
    return rows.map((r) => r.bot_id);
  }

  async revision(): Promise<string> {
    const row = await this.#first<{ epoch: string; changes: number }>(
      "SELECT epoch, changes FROM botknobs_revision WHERE id = 1",
      [],
    );
    if (row === null) throw new AdapterError("d1", "botknobs_revision has no row");
    return `${row.epoch}-${row.changes}`;
  }

  async history(botId: string, options: PageOptions = {}): Promise<Page<StoredRegistration>> {
    const limit = pageLimit(options.limit);
    const below = historyCursor(options.cursor);
    const rows = await this.#all<Row>(
      `SELECT ${COLUMNS} FROM botknobs_history WHERE bot_id = ? AND version < ? ORDER BY version DESC LIMIT ?`,
      [botId, Number.isFinite(below) ? below : Number.MAX_SAFE_INTEGER, limit + 1],
    );
    const items = rows.slice(0, limit).map(read);
    return rows.length > limit
      ? { items, cursor: String(items[limit - 1]?.version as number) }
      : { items };
  }

  async getVersion(botId: string, version: number): Promise<StoredRegistration | null> {
    const row = await this.#first<Row>(
      `SELECT ${COLUMNS} FROM botknobs_history WHERE bot_id = ? AND version = ?`,
      [botId, version],
    );
    return row === null ? null : read(row);
  }

  async pruneHistory(botId: string, keepLast: number): Promise<number> {
    checkKeepLast(keepLast);
    // Every version below the keepLast-th newest; the current one is always among those kept.
    const result = await this.#run(
      "DELETE FROM botknobs_history WHERE bot_id = ? AND version < " +
        "(SELECT version FROM botknobs_history WHERE bot_id = ? ORDER BY version DESC LIMIT 1 OFFSET ?)",
      [botId, botId, keepLast - 1],
    );
    return result.meta.changes;
  }

  #prepare(sql: string, params: unknown[]): D1StatementLike {
    if (params.length > D1_MAX_BOUND_PARAMETERS)
      throw new ValidationError(
        `A D1 statement binds at most ${D1_MAX_BOUND_PARAMETERS} parameters (this one ${params.length})`,
      );
    return this.#db.prepare(sql).bind(...params);
  }

  async #run(sql: string, params: unknown[]): Promise<{ meta: { changes: number } }> {
    return this.#call(sql, () => this.#prepare(sql, params).run());
  }

  async #all<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.#call(sql, async () => (await this.#prepare(sql, params).all<T>()).results);
  }

  async #first<T>(sql: string, params: unknown[]): Promise<T | null> {
    return this.#call(sql, () => this.#prepare(sql, params).first<T>());
  }

  /** Runs one statement; a D1 failure becomes an `AdapterError` naming `d1` and the statement. */
  async #call<T>(sql: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof BotknobsError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new AdapterError("d1", `statement failed: ${sql} — ${message}`, { cause: error });
    }
  }
}
