/**
 * {@link D1RecordStore}: the registry's {@link RecordStore} on Cloudflare D1 (SQLite). The schema
 * is `migrations/` (`0001_registry.sql`, then `0002_record_ext.sql`: the `ext` column and the
 * status index), the same one `SqliteRecordStore` creates; the statements are
 * `SqlRecordStore`'s, shared with SQLite and PostgreSQL.
 * @module
 */
import { AdapterError, ValidationError } from "../../core/errors.ts";
import type { RecordStore } from "../../core/registry/record-store.ts";
import {
  type SqlConnection,
  type SqlReady,
  SqlRecordStore,
} from "../../core/registry/sql-record-store.ts";
import { DEFAULT_RECORD_TABLES, quoteName } from "../../core/registry/sql-tables.ts";
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

const TABLES = {
  records: quoteName(DEFAULT_RECORD_TABLES.records),
  history: quoteName(DEFAULT_RECORD_TABLES.history),
  revision: quoteName(DEFAULT_RECORD_TABLES.revision),
};

/** The statements of `SqlRecordStore` on a D1 binding. */
function d1Connection(db: D1DatabaseLike): SqlConnection {
  const prepare = (sql: string, params: readonly unknown[]): D1StatementLike => {
    if (params.length > D1_MAX_BOUND_PARAMETERS)
      throw new ValidationError(
        `A D1 statement binds at most ${D1_MAX_BOUND_PARAMETERS} parameters (this one ${params.length})`,
      );
    return db.prepare(sql).bind(...params);
  };
  return {
    // meta.changes counts the triggers' rows too; they fire only when the statement wrote.
    run: async (sql, params) => (await prepare(sql, params).run()).meta.changes,
    all: async <T>(sql: string, params: readonly unknown[]) =>
      (await prepare(sql, params).all<T>()).results,
  };
}

/**
 * Records in D1: `botknobs_records` (one row per bot) and `botknobs_history` (every kept
 * version), through `SqlRecordStore`: each write is one statement, so its compare-and-set is
 * D1's own and the triggers record the version and move the revision in the same statement.
 * Strongly consistent (one primary). Failures are `AdapterError`s naming `d1` and the statement.
 * @example
 * const store = new D1RecordStore({ db: env.REGISTRY_DB });
 * const backend = new StoreRegistryBackend({ store });
 */
export class D1RecordStore extends SqlRecordStore implements RecordStore {
  readonly #db: D1DatabaseLike;

  constructor(options: D1RecordStoreOptions) {
    super({ name: "d1", maxValueBytes: D1_MAX_VALUE_BYTES });
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
  protected async connect(): Promise<SqlReady> {
    const connection = d1Connection(this.#db);
    const rows = await connection
      .all(
        `SELECT changes, (SELECT ext FROM ${TABLES.history} LIMIT 0) AS ext FROM ${TABLES.revision} WHERE id = 1`,
        [],
      )
      .catch((error: unknown) => {
        throw new AdapterError(
          "d1",
          "the registry schema is missing or old: apply migrations/0001_registry.sql and " +
            `migrations/0002_record_ext.sql (wrangler d1 migrations apply <database>) — ${(error as Error).message}`,
          { cause: error },
        );
      });
    if (rows.length === 0)
      throw new AdapterError("d1", "botknobs_revision has no row: re-apply the migration");
    return { connection, tables: TABLES };
  }

  protected async disconnect(): Promise<void> {}
}
